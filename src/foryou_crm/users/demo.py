"""The demo user: ``foryou-crm demo`` creates it, and ``/api/meta`` shows it in demo mode so
the sign-in screen can offer it."""

DEMO_EMAIL = "demo@foryou-realestate.com"
DEMO_PASSWORD = "demo-password"
