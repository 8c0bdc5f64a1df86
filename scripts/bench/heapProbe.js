/*
 * What a running back end's memory is made of: opens the node inspector of
 * a process this user owns (SIGUSR1, 127.0.0.1 only), reads
 * `process.memoryUsage()`, asks V8 for a full garbage collection, and reads
 * it again. So an RSS figure can be split into live heap, garbage the
 * collector had not yet reclaimed, and memory outside the JS heap.
 *
 * Node 20 has no WebSocket client without a flag, so the inspector session
 * runs in a child `node --experimental-websocket`. For benchmarks only: the
 * inspector stays open until the process exits.
 */
'use strict';

const { execFile } = require('node:child_process');

const CHILD = `
const [pid, port] = process.argv.slice(1).map(Number);
process.kill(pid, 'SIGUSR1');
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  let list;
  for (let i = 0; i < 50 && !list; i++) {
    await sleep(100);
    list = await fetch('http://127.0.0.1:' + port + '/json/list').then(r => r.json(), () => undefined);
  }
  if (!list?.length) throw new Error('the inspector did not open on port ' + port);
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  let id = 0;
  const pending = new Map();
  ws.onmessage = m => {
    const msg = JSON.parse(m.data);
    pending.get(msg.id)?.(msg);
  };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  const send = (method, params = {}) => new Promise(resolve => {
    pending.set(++id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async expression =>
    (await send('Runtime.evaluate', { expression })).result.result.value;
  // Another process may hold the port: then this is not the one asked for.
  const seen = await evaluate('process.pid');
  if (seen !== pid) throw new Error('port ' + port + ' is the inspector of process ' + seen + ', not ' + pid);
  const usage = async () => JSON.parse((await send('Runtime.evaluate', {
    expression: 'JSON.stringify(process.memoryUsage())',
  })).result.result.value);
  const before = await usage();
  await send('HeapProfiler.enable');
  await send('HeapProfiler.collectGarbage');
  const after = await usage();
  process.stdout.write(JSON.stringify({ before, after }));
  ws.close();
  process.exit(0);
})().catch(e => { process.stderr.write(String(e.message ?? e)); process.exit(1); });
`;

/**
 * `{ before, after }`: `process.memoryUsage()` of `pid` before and after a
 * full garbage collection (bytes). Rejects with a one-line reason.
 */
function probeHeap(pid, { port = 9229, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--experimental-websocket', '-e', CHILD, String(pid), String(port)],
      { timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`heap probe of ${pid}: ${stderr || error.message}`));
          return;
        }
        resolve(JSON.parse(stdout));
      },
    );
  });
}

module.exports = { probeHeap };
