// The gateway's origin for the tests: echoes the request's method, path and
// headers as JSON, and answers the "protected page" as HTML.
import http from 'node:http';

export async function startOrigin(port) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    if ((req.headers.accept || '').includes('text/html')) {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>Protected</title><h1 id="who">Hello ${req.headers['x-auth-subject'] || 'nobody'}</h1>`);
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}
