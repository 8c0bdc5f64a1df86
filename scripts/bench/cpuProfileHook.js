/*
 * `NODE_OPTIONS="--require …/cpuProfileHook.js"` with CPU_PROFILE_DIR set:
 * records a CPU profile of this Node process from start to exit and writes
 * it to CPU_PROFILE_DIR/<pid>.cpuprofile (Node refuses `--cpu-prof` in
 * NODE_OPTIONS, and children started by tools such as backstage-cli only
 * inherit NODE_OPTIONS). Used by transferProfile.js.
 */
'use strict';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const fs = require('node:fs');
  const path = require('node:path');
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // Same-thread session: the answer arrives synchronously.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, `${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    });
  };
  process.on('exit', write);
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.prependListener(signal, write);
  }
}
