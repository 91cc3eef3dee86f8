// The baseline for the edge benchmark: a Worker that answers 200 at once.
// With LOG=1 it also prints one JSON line per request, the size of our
// Worker's log line, to measure what a console.log costs under `wrangler dev`.
export default {
  async fetch(request, env) {
    if (env.LOG === '1') {
      console.log(JSON.stringify({ route: 'verify', method: request.method, realm: 'members', outcome: 'ok', status: 200, duration_ms: 0 }));
    }
    return new Response('ok', { headers: { 'cache-control': 'no-store' } });
  },
};
