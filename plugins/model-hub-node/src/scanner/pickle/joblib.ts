import type { ResolvedName } from './names';
import type { DType, Val, Wrapper } from './usage';

/**
 * joblib's own format (`joblib.dump`, joblib >= 0.10): each numpy array is
 * pickled as a `NumpyArrayWrapper` (NEWOBJ, then BUILD with a state dict of
 * `subclass`, `shape`, `order`, `dtype`, `allow_mmap` and, since 1.2,
 * `numpy_array_alignment_bytes`), and joblib's unpickler, on that BUILD,
 * reads the array straight from the file: an optional padding-length byte
 * and that many padding bytes, then shape × itemsize raw bytes, or, for an
 * object dtype, a nested pickle. The scanner must skip exactly those bytes
 * to stay in step with `joblib.load`; anything it cannot size is an error.
 */

/** The wrapper classes, under joblib and scikit-learn's vendored copies. */
const WRAPPER_CLASSES = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals._joblib.numpy_pickle.NumpyArrayWrapper',
]);

/** Whether an imported global is joblib's array wrapper class. */
export function isJoblibWrapperClass(resolved: ResolvedName | string): boolean {
  if (typeof resolved === 'string') return WRAPPER_CLASSES.has(resolved);
  return (
    WRAPPER_CLASSES.has(resolved.canonical) ||
    resolved.reachable.some(r => WRAPPER_CLASSES.has(r))
  );
}

/** `numpy.dtype` under the names numpy 1 and 2 pickle it with. */
const DTYPE_CLASSES = new Set([
  'numpy.dtype',
  'numpy.core.multiarray.dtype',
  'numpy._core.multiarray.dtype',
]);

/** Whether a called global is `numpy.dtype`. */
export function isNumpyDtype(canonical: string): boolean {
  return DTYPE_CLASSES.has(canonical);
}

/**
 * The value `numpy.dtype(code, align, copy)` pushes, when the code is a
 * string literal; undefined otherwise (the dtype is then untracked).
 */
export function dtypeFromArgs(args: Val): DType | undefined {
  if (args.t !== 't' || !args.items) return undefined;
  const code = args.items[0];
  return code?.t === 's' ? { t: 'dt', code: code.v } : undefined;
}

/** Item sizes of the fixed-size dtype codes numpy writes in pickles. */
const FIXED_ITEMSIZE: Record<string, number> = {
  b1: 1,
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  f2: 2,
  i4: 4,
  u4: 4,
  f4: 4,
  i8: 8,
  u8: 8,
  f8: 8,
  c8: 8,
  c16: 16,
  M8: 8,
  m8: 8,
};
/** Flexible codes whose size is in the code: bytes, unicode (UCS-4), void. */
const FLEXIBLE = /^([SUV])([1-9][0-9]{0,9})$/;

/** How many bytes one element of a joblib-pickled array takes. */
type ItemKind = { object: true } | { object: false; itemsize: number };

/**
 * Sizes a dtype from its code and BUILD state. numpy's state tuple is
 * `(version, byteorder, subarray, names, fields, elsize, alignment, flags
 * [, metadata])`; a subarray or fields (structured dtypes) are refused, and
 * a flexible dtype's state elsize (which numpy applies) must match its code.
 */
function itemKind(dt: DType): ItemKind | string {
  const st = dt.state;
  if (!st || st.t !== 't' || !st.items || st.items.length < 8)
    return `dtype ${dt.code} has no readable state`;
  // The byte order (item 1) does not change the size.
  const [version, , subarray, names, fields, elsize] = st.items;
  if (version.t !== 'i' || (version.v !== 3 && version.v !== 4))
    return `dtype ${dt.code} has an unknown state version`;
  if (subarray.t !== 'n' || names.t !== 'n' || fields.t !== 'n')
    return `dtype ${dt.code} is structured or has a subarray`;
  if (dt.code === 'O8' || dt.code === 'O4' || dt.code === 'O')
    return { object: true };
  const fixed = FIXED_ITEMSIZE[dt.code];
  if (fixed !== undefined) return { object: false, itemsize: fixed };
  const flex = FLEXIBLE.exec(dt.code);
  if (flex) {
    const n = Number(flex[2]);
    if (elsize.t !== 'i' || elsize.v !== n)
      return `dtype ${dt.code} declares an element size of another width`;
    if (flex[1] === 'U' && n % 4 !== 0)
      return `dtype ${dt.code} is not a whole number of UCS-4 characters`;
    return { object: false, itemsize: n };
  }
  return `dtype code '${dt.code}' is not one the scanner can size`;
}

/** What follows a wrapper's BUILD in the stream. */
export type ArrayLayout =
  | { object: true }
  | { object: false; padded: boolean; bytes: number };

/**
 * Reads a wrapper's attributes (after its BUILD) into the layout of the
 * bytes joblib reads next; a string explains why it cannot be sized.
 */
export function arrayLayout(w: Wrapper): ArrayLayout | string {
  const shape = w.attrs.get('shape');
  const dtype = w.attrs.get('dtype');
  if (!dtype || dtype.t !== 'dt')
    return 'the dtype is not a numpy.dtype literal';
  const kind = itemKind(dtype);
  if (typeof kind === 'string') return kind;
  if (!shape || shape.t !== 't' || !shape.items)
    return 'the shape is not a tuple literal of integers';
  const dims = shape.items;
  let count = 1;
  for (const d of dims) {
    if (d.t !== 'i' || d.v < 0)
      return 'the shape is not a tuple literal of non-negative integers';
    count *= d.v;
  }
  if (kind.object) return { object: true };
  const bytes = count * kind.itemsize;
  if (!Number.isSafeInteger(bytes))
    return `the array size (${count} × ${kind.itemsize} bytes) is too large`;
  // joblib <= 1.1 pickles have no alignment attribute; None means no padding.
  const align = w.attrs.get('numpy_array_alignment_bytes');
  if (align !== undefined && align.t !== 'n' && align.t !== 'i')
    return 'numpy_array_alignment_bytes is neither None nor an integer';
  const padded = align !== undefined && align.t !== 'n';
  return { object: false, padded, bytes };
}
