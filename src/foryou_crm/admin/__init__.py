"""User administration: ``/api/admin/users…`` for administrators and the ``foryou-crm users``
commands, over one service.

Above every domain (it reads users with their amoCRM connection and sync, and deleting a user
takes back what can be taken back at amoCRM), so nothing but the processes imports it.

- ``service``: overview, disable/enable, reset password, delete (with amoCRM), promote;
- ``schemas``: what the API answers; ``router``: the routes (``CurrentAdmin`` guards them)."""
