/*
 * Shared by the benchmarks: time a whole child process and record its peak
 * RSS (through /usr/bin/time when present, else by polling /proc), and take
 * medians.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');

const TIME_BIN = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs `cmd args…` (with `env` added to this process's environment when
 * given); resolves with exit code, wall ms, peak RSS (MB) and output.
 */
function runTimed(cmd, args, { env } = {}) {
  return new Promise((resolve, reject) => {
    const argv = TIME_BIN ? ['-f', '%M', cmd, ...args] : args;
    const started = process.hrtime.bigint();
    const child = spawn(TIME_BIN ?? cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
    });
    let stdout = '';
    let stderr = '';
    let hwm = 0;
    const poll = TIME_BIN
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(
              fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'),
            );
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            // exited
          }
        }, 10);
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('error', reject);
    child.on('close', code => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      let rssKb = hwm;
      if (TIME_BIN) {
        const lines = stderr.trim().split('\n');
        rssKb = Number(lines.pop());
        stderr = lines.join('\n');
      }
      resolve({ code, ms, rssMb: rssKb / 1024, stdout, stderr });
    });
  });
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

module.exports = { TIME_BIN, runTimed, median };
