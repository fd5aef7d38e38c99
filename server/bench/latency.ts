import http from 'node:http';

export interface LatencyResult {
  name: string;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  target_p99_ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent, headers: { authorization: `Bearer ${token}` } },
      res => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(res.statusCode)
            : reject(new Error(`${url} -> ${res.statusCode}`))
        );
      }
    );
    req.on('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

/** Sequential requests over one keep-alive connection: latency as one client sees it. */
export async function measure(
  name: string,
  target: number,
  requests: number,
  urlFor: (i: number) => string,
  token: string
): Promise<LatencyResult> {
  for (let i = 0; i < Math.min(20, requests); i++) {
    await get(urlFor(i + 1_000_000), token);
  } // warm-up
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t = process.hrtime.bigint();
    await get(urlFor(i), token);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    requests,
    p50_ms: percentile(times, 50),
    p99_ms: percentile(times, 99),
    max_ms: times[times.length - 1],
    target_p99_ms: target
  };
}

export function closeAgent(): void {
  agent.destroy();
}
