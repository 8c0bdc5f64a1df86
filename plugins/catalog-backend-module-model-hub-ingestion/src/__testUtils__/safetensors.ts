/**
 * A small, real safetensors file: one little-endian float32 tensor `w` of
 * `values`, with the 8-byte header length and JSON header the format
 * specifies.
 */
export function safetensorsFile(values: number[]): Buffer {
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeFloatLE(v, i * 4));
  const header = Buffer.from(
    JSON.stringify({
      w: {
        dtype: 'F32',
        shape: [values.length],
        data_offsets: [0, data.length],
      },
    }),
  );
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header, data]);
}
