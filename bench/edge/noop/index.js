// The baseline for the edge benchmark: a Worker that answers 200 at once.
export default {
  async fetch() {
    return new Response('ok', { headers: { 'cache-control': 'no-store' } });
  },
};
