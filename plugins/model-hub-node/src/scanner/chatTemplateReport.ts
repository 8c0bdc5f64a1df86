import { ScanReport } from './report';
import { analyzeChatTemplate } from './template';

/*
 * Chat templates are Jinja rendered by the loader: llama.cpp and
 * llama-cpp-python for GGUF metadata, transformers for tokenizer_config.json,
 * chat_template.json and chat_template.jinja. The same checks apply to all.
 */

/**
 * Substrings that have no business in a chat template and are the
 * building blocks of Jinja2 server-side template injection.
 */
export const TEMPLATE_INJECTION_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/__class__/, '__class__'],
  [/__globals__/, '__globals__'],
  [/__subclasses__/, '__subclasses__'],
  [/__builtins__/, '__builtins__'],
  [/__import__/, '__import__'],
  [/__mro__/, '__mro__'],
  [/__bases?__/, '__base__'],
  [/__init__/, '__init__'],
  [/__getattribute__/, '__getattribute__'],
  [/__dict__/, '__dict__'],
  [/__code__/, '__code__'],
  [/_TemplateReference__context/, '_TemplateReference__context'],
  [/\bself\._/, 'self._'],
  [/\bos\.(popen|system|exec)/, 'os command'],
  [/\bpopen\s*\(/, 'popen('],
  [/\bsubprocess\b/, 'subprocess'],
  [/\blipsum\b/, 'lipsum'],
  [/\bcycler\b/, 'cycler'],
  [/\bjoiner\b/, 'joiner'],
  [/namespace\.__/, 'namespace internals'],
  [/\|\s*attr\s*\(/, '|attr('],
  [/\\x5f|\\u005f|\\137/i, 'escaped underscore'],
  [/\b(eval|exec)\s*\(/, 'eval/exec call'],
  [/\brequest\.(application|environ)/, 'request internals'],
  [/\bconfig\.(items|__)/, 'config internals'],
  [/\burl_for\b|\bget_flashed_messages\b/, 'Flask globals'],
];

/** Patterns found in a template (empty when clean). */
export function templateInjectionHits(template: string): string[] {
  return TEMPLATE_INJECTION_PATTERNS.filter(([re]) => re.test(template)).map(
    ([, n]) => n,
  );
}

/**
 * Analyses one chat template and records its findings at `where`: static
 * access checks (template.ts), an unparseable template (error) and
 * template-injection substrings (critical).
 */
export function reportChatTemplate(
  report: ScanReport,
  template: string,
  where: string,
): void {
  const analysis = analyzeChatTemplate(template);
  for (const f of analysis.findings)
    report.add(f.severity, f.rule, `chat template: ${f.message}`, where);
  if (analysis.parseError !== undefined) {
    report.fail(
      'gguf/chat-template-unparseable',
      `the chat template does not parse (${analysis.parseError}); it cannot be checked, so review it or fix the template`,
      where,
    );
  }
  const hits = templateInjectionHits(template);
  if (hits.length) {
    report.add(
      'critical',
      'gguf/chat-template-injection',
      `chat template contains template-injection patterns (${hits.join(
        ', ',
      )}); rendering it can run code`,
      where,
    );
  }
}
