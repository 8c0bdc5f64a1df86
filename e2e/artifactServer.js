/*
 * A read-only HTTP server over examples/artifacts, standing in for the
 * internal file server or bucket a team keeps its model files on. The
 * portal's `backend.reading.allow` lists it, so the scaffolder's
 * `model-hub:publish-version` can read artifacts from it through
 * Backstage's urlReader.
 */
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const ARTIFACTS = path.resolve(__dirname, '..', 'examples', 'artifacts');

/** Starts the server on a free port; resolves to { url, host, close() }. */
function startArtifactServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const file = path.resolve(
      ARTIFACTS,
      `.${decodeURIComponent(url.pathname)}`,
    );
    if (
      req.method !== 'GET' ||
      !file.startsWith(`${ARTIFACTS}${path.sep}`) ||
      !fs.existsSync(file) ||
      !fs.statSync(file).isFile()
    ) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': fs.statSync(file).size,
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://localhost:${port}`,
        host: `localhost:${port}`,
        close: () =>
          new Promise(r => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}

module.exports = { startArtifactServer };
