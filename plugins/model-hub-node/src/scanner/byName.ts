import type { ModelFileFormat } from '@internal/plugin-model-hub-common';
import { ScanReport } from './report';
import { RandomSource } from './source';
import {
  UNREAD_MODEL_EXTENSIONS,
  claimedModelExtension,
  isJinjaName,
  isJsonName,
  shippedCodeOfName,
} from './names';
import { reportShippedCode, scanJinjaTemplate, scanJsonConfig } from './code';
import { isNativeLibraryHead } from './nativeCode';

/**
 * Applies the rules that depend on a file's name: code shipped with a model
 * (by name, or a native library by content) is a finding whatever else the
 * bytes parse as, and once the content matched no model format, a name that
 * claims a model format makes unrecognised (or empty) content an `error`.
 */
export async function classifyByName(
  detected: { format: ModelFileFormat; supported: boolean },
  src: RandomSource,
  report: ScanReport,
  name: string,
): Promise<{ format: ModelFileFormat; supported: boolean }> {
  // Whatever else its bytes parse as, a file named as code is imported as code.
  const code = shippedCodeOfName(name);
  if (code) reportShippedCode(report, code, 'file');
  if (detected.supported || detected.format !== 'unknown') return detected;
  if (code) return detected;
  if (await isNativeLibraryHead(src)) {
    reportShippedCode(report, 'native', 'file');
    return detected;
  }
  if (isJsonName(name)) {
    await scanJsonConfig(src, report, 'file', name);
    return detected;
  }
  if (isJinjaName(name)) {
    await scanJinjaTemplate(src, report, 'file');
    return detected;
  }
  const ext = claimedModelExtension(name);
  if (ext && UNREAD_MODEL_EXTENSIONS.includes(ext)) {
    report.fail(
      'format/not-scanned',
      `the scanner does not read ${ext} files, whose loaders run the operations and layers they describe; publish the model as safetensors or ONNX, or have it reviewed`,
      'file',
    );
  } else if (ext) {
    report.fail(
      'format/unrecognized',
      src.size === 0
        ? `the file is empty but its name claims a model format (${ext}); re-upload the real file`
        : `the name claims a model format (${ext}) but the content parses as no supported format; check the file is complete and not corrupted`,
      'file',
    );
  }
  return detected;
}
