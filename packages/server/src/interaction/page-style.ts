// The hosted pages' one stylesheet (sign-in, second factor, logout, errors), light and dark, phone to
// desktop. A module of its own with no imports, so the CLI's loopback page can wear it too
// (`@cxauth/server/page-style`) without loading the server.
export const PAGE_STYLE = `
*{box-sizing:border-box}
[hidden]{display:none!important}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:100%;color:#1b1f24;background:#eef1f5}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:8vh 1rem 2rem}
main{width:100%;max-width:26rem;background:#fff;border-radius:.75rem;padding:2rem 1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.popup body,body.popup{padding:1rem}
body.popup main{box-shadow:none;max-width:none}
h1{font-size:1.5rem;margin:0 0 .25rem}
.context{margin:0 0 1.5rem;color:#4a5360}
.context strong{color:#1b1f24}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input{display:block;width:100%;font:inherit;padding:.7rem .8rem;border:1px solid #8a94a3;border-radius:.4rem;background:#fff;color:inherit}
input:focus{outline:3px solid #2563eb;outline-offset:1px;border-color:#2563eb}
input[aria-invalid=true]{border-color:#b42318}
.hint{margin:.35rem 0 0;color:#4a5360;font-size:.9rem}
a{color:#1d4ed8}
button{display:block;width:100%;margin-top:1.5rem;font:inherit;font-weight:600;padding:.75rem;border:0;border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}
button:hover{background:#1e40af}
button:focus{outline:3px solid #93c5fd;outline-offset:2px}
button.secondary{margin-top:.75rem;background:#fff;color:#1d4ed8;border:1px solid #1d4ed8}
button.secondary:hover{background:#eef2ff}
.scopes{margin:0 0 1rem;padding-left:1.25rem}
.scopes li{margin:.35rem 0}
.error{margin:0 0 1rem;padding:.75rem .9rem;border-radius:.4rem;background:#fdecea;color:#8a1c12;border:1px solid #f4b8b0}
.done{color:#14532d}
.passkeys{list-style:none;margin:0;padding:0}
.passkeys li{margin:0 0 1.5rem;padding-top:1rem;border-top:1px solid #d0d5dd}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (min-width:40rem){main{padding:2.5rem 2.5rem}}
@media (prefers-color-scheme:dark){html{background:#0f1318;color:#e6e9ee}a{color:#93c5fd}main{background:#1a2028}.context,.hint{color:#aab3bf}.context strong{color:#e6e9ee}input{background:#0f1318;border-color:#5b6673}.error{background:#3b1411;color:#ffd4ce;border-color:#7a2a22}.done{color:#86efac}button.secondary{background:#1a2028;color:#93c5fd;border-color:#93c5fd}button.secondary:hover{background:#0f1318}}
`;
