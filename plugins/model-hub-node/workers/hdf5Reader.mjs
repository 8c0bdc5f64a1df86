// Reads the root attributes of an HDF5 file with h5wasm (the HDF5 C
// library compiled to WebAssembly) and prints them as JSON on stdout.
// Runs in a child process of the scanner: a crash, hang or runaway
// allocation of the HDF5 library on hostile input stays in this process.
import h5wasm from 'h5wasm/node';

const MAX_ATTR = 64 * 1024 * 1024;

function plain(value) {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value) && value.length === 1) return plain(value[0]);
  if (typeof value === 'bigint') return Number(value);
  if (ArrayBuffer.isView(value)) return Array.from(value).slice(0, 64);
  if (typeof value === 'string' && value.length > MAX_ATTR) return null;
  return value;
}

let result;
try {
  await h5wasm.ready;
  const file = new h5wasm.File(process.argv[2], 'r');
  try {
    const attrs = {};
    for (const [name, attr] of Object.entries(file.attrs)) {
      attrs[name] = plain(attr.value);
    }
    result = { attrs, keys: file.keys().slice(0, 1000) };
  } finally {
    file.close();
  }
} catch (e) {
  result = { error: String(e?.message ?? e).slice(0, 500) };
}
process.stdout.write(JSON.stringify(result));
