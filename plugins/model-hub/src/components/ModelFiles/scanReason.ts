import {
  ModelVersionFile,
  ScanSeverity,
} from '@internal/plugin-model-hub-common';

const SEVERITY_ORDER: Record<ScanSeverity, number> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
};

/** One line saying why the scanner decided what it did about a file. */
export function scanReason(file: ModelVersionFile): string {
  const findings = [...(file.scan?.findings ?? [])].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  if (findings.length === 0) {
    switch (file.scan?.verdict) {
      case 'unsupported':
        return `Not a model format (${file.format}): no weights to scan`;
      case 'error':
        return 'The scanner could not read this file';
      default:
        return 'No findings';
    }
  }
  const [first] = findings;
  const more = findings.length - 1;
  return `${first.severity}: ${first.message}${
    more > 0 ? ` (+${more} more)` : ''
  }`;
}
