import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * The yardstick of `npm run bench:server`: a bare Node HTTP file server with the registry's buffer
 * sizes (4 MiB write buffer, 1 MiB reads) but no framework, no auth, no hashing and no fsync.
 * PUT /<name> stores the body, GET /<name> streams it back. Prints its port on stdout.
 */
const dir = process.argv[2];
const server = http.createServer((req, res) => {
  const file = path.join(dir, path.basename(req.url ?? 'x'));
  if (req.method === 'PUT') {
    pipeline(req, fs.createWriteStream(file, { highWaterMark: 4 << 20 })).then(
      () => res.writeHead(201).end('{}'),
      () => res.writeHead(500).end()
    );
  } else if (req.method === 'GET') {
    const size = fs.statSync(file).size;
    res.writeHead(200, {
      'content-length': size,
      'content-type': 'application/octet-stream'
    });
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  } else {
    res.writeHead(405).end();
  }
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(typeof a === 'object' && a ? a.port : 0);
});
