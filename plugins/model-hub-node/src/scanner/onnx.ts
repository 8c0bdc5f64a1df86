import { MalformedError, ScanReport } from './report';
import { RandomSource } from './source';

/** Reads a source through one cached block, for mostly-forward access. */
class BlockReader {
  private block = Buffer.alloc(0);
  private blockStart = 0;
  constructor(private readonly src: RandomSource) {}

  get size() {
    return this.src.size;
  }

  async get(pos: number, n: number): Promise<Buffer> {
    const off = pos - this.blockStart;
    if (off >= 0 && off + n <= this.block.length)
      return this.block.subarray(off, off + n);
    this.block = await this.src.read(pos, Math.max(n, 64 * 1024));
    this.blockStart = pos;
    return this.block.subarray(0, n);
  }
}

/** One protobuf field as found on the wire. */
interface Field {
  field: number;
  wire: number;
  /** Varint value (wire type 0). */
  value: number;
  /** Start and end of a length-delimited payload (wire type 2). */
  start: number;
  end: number;
}

function bad(msg: string, pos: number, location: string): never {
  throw new MalformedError('onnx/malformed', msg, `${location}@offset ${pos}`);
}

async function readVarint(
  r: BlockReader,
  pos: number,
  end: number,
  location: string,
): Promise<[number, number]> {
  const b = await r.get(pos, Math.min(10, end - pos));
  let v = 0;
  let mul = 1;
  for (let i = 0; i < b.length; i++) {
    v += (b[i] & 0x7f) * mul;
    mul *= 128;
    if ((b[i] & 0x80) === 0) return [v, pos + i + 1];
  }
  return bad('truncated or overlong varint', pos, location);
}

/** Iterates the fields of the message occupying `[start, end)`. */
async function* fields(
  r: BlockReader,
  start: number,
  end: number,
  location: string,
): AsyncGenerator<Field> {
  let pos = start;
  while (pos < end) {
    const [tag, p1] = await readVarint(r, pos, end, location);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) bad('field number 0', pos, location);
    let value = 0;
    let s = p1;
    let e = p1;
    switch (wire) {
      case 0:
        [value, e] = await readVarint(r, p1, end, location);
        break;
      case 1:
        e = p1 + 8;
        break;
      case 2: {
        const [len, p2] = await readVarint(r, p1, end, location);
        s = p2;
        e = p2 + len;
        break;
      }
      case 5:
        e = p1 + 4;
        break;
      default:
        bad(`unsupported wire type ${wire}`, pos, location);
    }
    if (e > end)
      bad(`field ${field} runs past the end of its message`, pos, location);
    pos = e;
    yield { field, wire, value, start: s, end: e };
  }
}

async function str(
  r: BlockReader,
  f: Field,
  location: string,
): Promise<string> {
  if (f.wire !== 2)
    bad(`field ${f.field} should be a string`, f.start, location);
  if (f.end - f.start > 1 << 20) return '';
  return (await r.get(f.start, f.end - f.start)).toString('utf8');
}

/** Op domains defined by the ONNX standard. */
const STANDARD_DOMAINS = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.preview.training',
  'ai.onnx.training',
]);

/** ModelProto fields and their wire types, for recognising a (truncated) model. */
const MODEL_FIELDS: Record<number, number> = {
  2: 2,
  3: 2,
  4: 2,
  5: 0,
  6: 2,
  7: 2,
  8: 2,
  14: 2,
  20: 2,
  25: 2,
  26: 2,
};

/**
 * Whether a first byte can open an ONNX ModelProto: the tag of
 * `ir_version` or of any other ModelProto field (protobuf readers, and so
 * onnxruntime, take fields in any order).
 */
export function mayStartOnnx(first: number): boolean {
  return first === 0x08 || MODEL_FIELDS[first >> 3] === (first & 7);
}

/**
 * Cheap structural test: the top-level message parses as protobuf and
 * carries a plausible `ir_version` and a `graph`, or at least starts with a
 * plausible `ir_version` followed by another ModelProto field (so that a
 * truncated model is still recognised, and then reported as an error). A
 * model whose first field is not `ir_version` must parse completely, with
 * ModelProto fields only.
 */
export async function looksLikeOnnx(src: RandomSource): Promise<boolean> {
  if (src.size < 4) return false;
  const r = new BlockReader(src);
  let ir = false;
  let graph = false;
  let index = 0;
  let irFirst = false;
  try {
    for await (const f of fields(r, 0, src.size, '')) {
      const irField =
        f.field === 1 && f.wire === 0 && f.value >= 1 && f.value <= 100;
      if (index === 0) irFirst = irField;
      if (!irField && MODEL_FIELDS[f.field] !== f.wire) {
        if (index <= 1 || !irFirst) return false;
      }
      if (index === 1 && irFirst && MODEL_FIELDS[f.field] !== f.wire) {
        return false;
      }
      index++;
      if (f.field === 1) ir = irField;
      if (f.field === 7) graph = f.wire === 2;
    }
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    if (!irFirst) return false;
    return index >= 2 || (index === 1 && (await secondFieldOk(src)));
  }
  return ir && graph;
}

/** After a valid `ir_version`, whether the next tag names a ModelProto field. */
async function secondFieldOk(src: RandomSource): Promise<boolean> {
  const b = await src.read(0, 16);
  let p = 1;
  while (p < b.length && b[p] & 0x80) p++;
  p++;
  if (p >= b.length) return false;
  const tag = b[p];
  return (tag & 0x80) === 0 && MODEL_FIELDS[tag >> 3] === (tag & 7);
}

function escapesModelDir(location: string): boolean {
  return (
    location.startsWith('/') ||
    location.startsWith('\\') ||
    /^[A-Za-z]:/.test(location) ||
    /^[a-z][a-z0-9+.-]*:/i.test(location) ||
    location.split(/[\\/]/).includes('..')
  );
}

/**
 * Walks an ONNX ModelProto without an ONNX library: every node (subgraphs
 * and local functions included) for non-standard op domains and every
 * tensor for external data paths that escape the model directory.
 */
export async function scanOnnx(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  const r = new BlockReader(src);
  const domains = new Map<
    string,
    { count: number; opTypes: Set<string>; where: string }
  >();
  const functionDomains = new Set<string>();
  let nodes = 0;

  const tensor = async (s: number, e: number, where: string) => {
    let name = '';
    let external = false;
    let loc: string | undefined;
    for await (const f of fields(r, s, e, location)) {
      if (f.field === 8) name = await str(r, f, location);
      else if (f.field === 14 && f.wire === 0) external = f.value === 1;
      else if (f.field === 13 && f.wire === 2) {
        let key = '';
        let value = '';
        for await (const g of fields(r, f.start, f.end, location)) {
          if (g.field === 1) key = await str(r, g, location);
          if (g.field === 2) value = await str(r, g, location);
        }
        if (key === 'location') loc = value;
      }
    }
    if (!external) return;
    const at = `${where}.initializer[${JSON.stringify(name)}]`;
    if (loc === undefined || loc === '') {
      report.fail(
        'onnx/bad-external-data',
        `tensor ${name} has external data without a location`,
        at,
      );
    } else if (escapesModelDir(loc)) {
      report.add(
        'high',
        'onnx/external-data-traversal',
        `tensor ${name} reads external data from ${JSON.stringify(
          loc,
        )}, outside the model directory`,
        at,
      );
    } else {
      report.add(
        'low',
        'onnx/external-data',
        `tensor ${name} stores its data in ${JSON.stringify(
          loc,
        )} (not scanned here)`,
        at,
      );
    }
  };
  const sparse = async (s: number, e: number, where: string) => {
    for await (const f of fields(r, s, e, location)) {
      if ((f.field === 1 || f.field === 2) && f.wire === 2)
        await tensor(f.start, f.end, where);
    }
  };
  async function node(s: number, e: number, where: string, depth: number) {
    if (++nodes > 10_000_000) bad('more than 10,000,000 nodes', s, location);
    let domain = '';
    let opType = '';
    let name = '';
    const attrs: Field[] = [];
    for await (const f of fields(r, s, e, location)) {
      if (f.field === 7) domain = await str(r, f, location);
      else if (f.field === 4) opType = await str(r, f, location);
      else if (f.field === 3) name = await str(r, f, location);
      else if (f.field === 5 && f.wire === 2) attrs.push(f);
    }
    const here = `${where}.node[${JSON.stringify(name || opType)}]`;
    if (!STANDARD_DOMAINS.has(domain)) {
      const d = domains.get(domain) ?? {
        count: 0,
        opTypes: new Set<string>(),
        where: here,
      };
      d.count++;
      if (d.opTypes.size < 10) d.opTypes.add(opType);
      domains.set(domain, d);
    }
    for (const a of attrs) await attribute(a.start, a.end, here, depth);
  }
  async function attribute(s: number, e: number, where: string, depth: number) {
    for await (const f of fields(r, s, e, location)) {
      if (f.wire !== 2) continue;
      if (f.field === 5 || f.field === 10) await tensor(f.start, f.end, where);
      else if (f.field === 6 || f.field === 11)
        await graph(f.start, f.end, `${where}.subgraph`, depth + 1);
      else if (f.field === 22 || f.field === 23)
        await sparse(f.start, f.end, where);
    }
  }
  async function graph(
    s: number,
    e: number,
    where: string,
    depth: number,
  ): Promise<void> {
    if (depth > 64) bad('subgraphs nest deeper than 64', s, location);
    for await (const f of fields(r, s, e, location)) {
      if (f.wire !== 2) continue;
      if (f.field === 1) await node(f.start, f.end, where, depth);
      else if (f.field === 5) await tensor(f.start, f.end, where);
      else if (f.field === 15) await sparse(f.start, f.end, where);
    }
  }
  const fn = async (s: number, e: number) => {
    let fname = '';
    const nodeFields: Field[] = [];
    for await (const f of fields(r, s, e, location)) {
      if (f.field === 1) fname = await str(r, f, location);
      else if (f.field === 10) functionDomains.add(await str(r, f, location));
      else if (f.field === 7 && f.wire === 2) nodeFields.push(f);
    }
    for (const f of nodeFields)
      await node(
        f.start,
        f.end,
        `${location}:function[${JSON.stringify(fname)}]`,
        0,
      );
  };

  let sawGraph = false;
  try {
    for await (const f of fields(r, 0, src.size, location)) {
      if (f.wire !== 2) continue;
      if (f.field === 7) sawGraph = true;
      if (f.field === 7) await graph(f.start, f.end, `${location}:graph`, 0);
      else if (f.field === 25) await fn(f.start, f.end);
      else if (f.field === 20) {
        for await (const g of fields(r, f.start, f.end, location)) {
          if ((g.field === 1 || g.field === 3) && g.wire === 2) {
            await graph(g.start, g.end, `${location}:training_info`, 0);
          }
        }
      }
    }
    if (!sawGraph)
      report.fail('onnx/malformed', 'the model has no graph', location);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    report.fail(e.rule, e.message, e.location);
  }
  for (const [domain, d] of domains) {
    if (functionDomains.has(domain)) continue;
    const microsoft =
      domain === 'com.microsoft' || domain.startsWith('com.microsoft.');
    report.add(
      microsoft ? 'low' : 'medium',
      'onnx/custom-domain',
      `${
        d.count
      } node(s) use operators from the non-standard domain ${JSON.stringify(
        domain,
      )} (${[...d.opTypes].join(', ')}); they need a custom operator library${
        microsoft ? ' (ONNX Runtime contrib ops)' : ''
      }`,
      d.where,
    );
  }
}
