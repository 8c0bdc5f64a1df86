/*
 * The pickle-heavy benchmark case: a protocol-4 pickle of millions of small
 * objects (a list of dicts holding ints, strings, floats and tuples, with an
 * OrderedDict per batch), laid out the way CPython's pickler writes it:
 * FRAMEs of ~64 KiB, every object memoized, repeated strings and globals
 * fetched back with BINGET/LONG_BINGET, APPENDS in batches of 1000.
 * Written by streaming, never held in memory.
 */
'use strict';

const fs = require('node:fs');

const FRAME_TARGET = 64 * 1024;

/** Writes ~`sizeMb` MiB to `file`; returns the number of list items. */
function generatePickle(file, sizeMb) {
  const fd = fs.openSync(`${file}.tmp`, 'w');
  const target = sizeMb * 1024 * 1024;
  let frame = Buffer.alloc(FRAME_TARGET + 4096);
  let len = 0;
  let written = 0;
  let memo = 0;
  const byte = (...bs) => {
    for (const x of bs) frame[len++] = x;
  };
  const u32 = n => {
    frame.writeUInt32LE(n, len);
    len += 4;
  };
  const str = s => {
    byte(0x8c, s.length); // SHORT_BINUNICODE (ASCII here)
    len += frame.write(s, len, 'latin1');
  };
  const memoize = () => {
    byte(0x94);
    return memo++;
  };
  const get = i => {
    if (i < 256) byte(0x68, i); // BINGET
    else {
      byte(0x6a); // LONG_BINGET
      u32(i);
    }
  };
  const flush = () => {
    const head = Buffer.alloc(9);
    head[0] = 0x95; // FRAME
    head.writeBigUInt64LE(BigInt(len), 1);
    fs.writeSync(fd, head);
    fs.writeSync(fd, frame, 0, len);
    written += 9 + len;
    len = 0;
  };

  fs.writeSync(fd, Buffer.from([0x80, 4]));
  written = 2;
  byte(0x5d); // EMPTY_LIST
  memoize();
  const keys = {};
  for (const k of ['id', 'name', 'score', 'tags', 'a', 'b']) {
    str(k);
    keys[k] = memoize();
    byte(0x30); // POP (kept in the memo, as a pickler would have)
  }
  str('collections');
  memoize();
  str('OrderedDict');
  memoize();
  byte(0x93); // STACK_GLOBAL
  const od = memoize();
  byte(0x30);
  let items = 0;
  while (written + len < target) {
    byte(0x28); // MARK
    for (let j = 0; j < 1000; j++, items++) {
      byte(0x7d); // EMPTY_DICT
      memoize();
      byte(0x28);
      get(keys.id);
      byte(0x4a); // BININT
      frame.writeInt32LE(items | 0, len);
      len += 4;
      get(keys.name);
      str(`item-${items}`);
      memoize();
      get(keys.score);
      byte(0x47); // BINFLOAT
      frame.writeDoubleBE(items / 7, len);
      len += 8;
      get(keys.tags);
      get(keys.a);
      get(keys.b);
      byte(0x86); // TUPLE2
      memoize();
      byte(0x75); // SETITEMS
      if (len >= FRAME_TARGET) flush();
    }
    get(od);
    byte(0x29, 0x52); // EMPTY_TUPLE REDUCE: OrderedDict()
    memoize();
    byte(0x65); // APPENDS
    if (len >= FRAME_TARGET) flush();
  }
  byte(0x2e); // STOP
  flush();
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  frame = undefined;
  return items;
}

/** The same opcode walk in Python: pickletools.genops over the file. */
const PYTHON_WALK = [
  'import pickletools, sys',
  'n = 0',
  "with open(sys.argv[1], 'rb') as f:",
  '    for _ in pickletools.genops(f):',
  '        n += 1',
  'print(n)',
].join('\n');

module.exports = { generatePickle, PYTHON_WALK };
