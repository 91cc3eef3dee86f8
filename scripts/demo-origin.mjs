// The demo origin behind the edge's gateway mode (scripts/run.sh): a small protected page that
// shows the identity headers the Worker added. It trusts X-Auth-* only because the Worker strips
// any client-sent ones and it listens on loopback only. Not shipped; for the main job and tests.
import http from 'node:http';

const port = Number(process.env.DEMO_ORIGIN_PORT || 8788);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const server = http.createServer((req, res) => {
  const h = req.headers;
  const rows = ['x-auth-subject', 'x-auth-realm', 'x-auth-email', 'x-auth-scopes']
    .map((k) => `<tr><th>${k}</th><td data-header="${k}">${esc(h[k])}</td></tr>`).join('');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Realmgate demo: protected page</title></head>
<body><h1 id="protected">Protected page</h1>
<p>You reached <code>${esc(req.url)}</code> through the Realmgate edge. The identity headers it added:</p>
<table>${rows}</table>
<form method="post" action="/auth/logout?redirect=1"><button id="logout">Log out</button></form>
</body></html>`);
});
server.listen(port, '127.0.0.1', () => console.log(`demo origin on http://127.0.0.1:${port}`));
