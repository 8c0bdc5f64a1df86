/*
 * The HTTP client of the benchmarks' load: node's http with kept-alive
 * connections, answering a small subset of `fetch`'s Response (`ok`,
 * `status`, `json()`, `arrayBuffer()`).
 *
 * Why not `fetch`: on this 2-core machine the load client shares the CPU
 * with the portal it measures. Node's built-in `fetch` (undici) cost the
 * client about 1.2 ms of CPU per request at 50 clients (0.96 of 2 cores
 * during the floor row), which the portal then lacks; a closed loop's
 * latency is mostly queueing for that CPU. node's http client costs a
 * fraction of it, for every row alike (hub routes and the catalog's).
 */
'use strict';

const http = require('node:http');
const https = require('node:https');

/**
 * A `request(path, init)` for one base URL and bearer token; throws on a
 * status other than 2xx, after reading the body (so the socket is reused).
 * A comma-separated list of base URLs (replicas of one portal on one
 * database) is used round robin, one request each, as a load balancer
 * would.
 */
function keepAliveRequester(baseUrl, token) {
  const targets = baseUrl.split(',').map(one => {
    const base = new URL(one);
    const lib = base.protocol === 'https:' ? https : http;
    return {
      base,
      lib,
      agent: new lib.Agent({ keepAlive: true, maxSockets: Infinity }),
    };
  });
  let next = 0;
  return (path, init = {}) =>
    new Promise((resolve, reject) => {
      const { base, lib, agent } = targets[next++ % targets.length];
      const method = init.method ?? 'GET';
      const body = init.body === undefined ? undefined : Buffer.from(init.body);
      const req = lib.request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          path: `${base.pathname.replace(/\/$/, '')}${path}`,
          method,
          agent,
          headers: {
            Authorization: `Bearer ${token}`,
            'Accept-Encoding': 'identity',
            ...(body ? { 'Content-Length': body.length } : {}),
            ...init.headers,
          },
        },
        res => {
          const chunks = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              reject(new Error(`${method} ${path}: HTTP ${status}`));
              return;
            }
            resolve({
              ok: true,
              status,
              headers: res.headers,
              json: async () => JSON.parse(bytes.toString('utf8')),
              arrayBuffer: async () =>
                bytes.buffer.slice(
                  bytes.byteOffset,
                  bytes.byteOffset + bytes.byteLength,
                ),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

module.exports = { keepAliveRequester };
