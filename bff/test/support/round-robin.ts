/**
 * A tiny load balancer for tests: forwards each request to the next upstream in turn, streaming
 * bodies both ways. An upstream that is down answers 502, as a real balancer would, so the gateway
 * retries. Upstreams can be swapped while it runs (a restarted instance keeps its port anyway).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';

export interface RoundRobin {
  url: string;
  upstreams: string[];
  close(): Promise<void>;
}

export async function startRoundRobin(upstreams: string[]): Promise<RoundRobin> {
  let next = 0;
  const state = { upstreams };
  const server: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', state.upstreams[next++ % state.upstreams.length]);
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unavailable');
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get upstreams() {
      return state.upstreams;
    },
    set upstreams(list: string[]) {
      state.upstreams = list;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
