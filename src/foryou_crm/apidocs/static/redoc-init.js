// Starts ReDoc on /redoc from a file rather than an inline script (see the page's policy).
"use strict";
const root = document.getElementById("redoc");
Redoc.init(root.dataset.openapiUrl, {}, root);
