"""Connecting an agent's amoCRM account, one module per step of the flow:

1. ``auth_url``: the consent URL, with a one-time ``state`` (``GET /api/amo-crm/auth-url``);
2. ``callback``: amoCRM sends the browser back (``GET /api/amo-crm/callback``): verify the
   state → exchange amoCRM's code → store the tokens on the flow → the hand-over page
   (``page``) that opens the app with our own one-time completion code;
3. ``completion``: the app trades that code for the connection
   (``POST /api/amo-crm/exchange-code``).

``flows`` holds what the steps share (the flow record's hashes, where the browser goes back
to, clean-up); ``models`` the flow record itself; ``schemas`` the API shapes."""
