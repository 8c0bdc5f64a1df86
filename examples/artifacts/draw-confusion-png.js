#!/usr/bin/env node
/*
 * Draws the confusion matrix of the sentiment classifier (from its
 * metrics.json) as a small PNG heat map for its model card README:
 * 2 x 2 cells, darker blue for larger counts, a white grid. Plain Node
 * (zlib); deterministic.
 *
 *   node examples/artifacts/draw-confusion-png.js
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const dir = path.join(__dirname, 'sentiment-classifier');
const { confusion } = JSON.parse(
  fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'),
);
// Rows: actual positive, actual negative; columns: predicted positive, negative.
const cells = [
  [confusion.tp, confusion.fn],
  [confusion.fp, confusion.tn],
];
const CELL = 80;
const GAP = 4;
const size = 2 * CELL + 3 * GAP;
const max = Math.max(...cells.flat());

const raw = Buffer.alloc(size * (1 + size * 3));
for (let y = 0; y < size; y++) {
  const row = y * (1 + size * 3);
  raw[row] = 0; // filter: none
  for (let x = 0; x < size; x++) {
    const cx = Math.floor((x - GAP) / (CELL + GAP));
    const cy = Math.floor((y - GAP) / (CELL + GAP));
    const inCell =
      cx >= 0 &&
      cx < 2 &&
      cy >= 0 &&
      cy < 2 &&
      (x - GAP) % (CELL + GAP) < CELL &&
      (y - GAP) % (CELL + GAP) < CELL;
    let rgb = [255, 255, 255];
    if (inCell) {
      const t = cells[cy][cx] / max;
      rgb = [
        Math.round(230 - 200 * t),
        Math.round(240 - 150 * t),
        255 - Math.round(60 * t),
      ];
    }
    raw.set(rgb, row + 1 + x * 3);
  }
}

function crc32(buf) {
  let c;
  let crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 2; // truecolour
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.mkdirSync(path.join(dir, 'img'), { recursive: true });
fs.writeFileSync(path.join(dir, 'img/confusion-matrix.png'), png);
console.log(`img/confusion-matrix.png: ${png.length} bytes, ${size}x${size}`);
