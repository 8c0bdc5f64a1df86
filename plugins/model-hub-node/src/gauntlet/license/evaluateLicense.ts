import parseSpdx, { SpdxNode } from 'spdx-expression-parse';
import satisfies from 'spdx-satisfies';
import {
  DEFAULT_LICENSE_POLICY,
  expandLicensePatterns,
  IntendedUse,
  INTENDED_USES,
  KNOWN_SPDX_IDS,
  LicenseDecision,
  LicensePolicy,
} from './policy';

/**
 * The outcome of a license evaluation: `allowed`, `denied`, `review` (a human
 * must decide) or `invalid` (the expression is not valid SPDX).
 */
export type LicenseVerdict = LicenseDecision | 'invalid';

/** A license inherited from a base model or a training dataset. */
export interface InheritedLicense {
  /** Entity ref of the base model or dataset. */
  from: string;
  /** Its SPDX expression; missing when it declares none. */
  expression?: string;
  /** Why the license could not be read (e.g. not in the catalog); makes it unverifiable. */
  unavailable?: string;
}

/** Input of {@link evaluateLicense}. */
export interface LicenseEvaluationInput {
  /** The model's own SPDX expression. */
  expression: string;
  /** Licenses of everything the model is derived from or trained on. */
  inherited?: InheritedLicense[];
  use: IntendedUse;
}

/** The evaluation of one license id of an expression. */
export interface LicenseTermEvaluation {
  /** The term as written, e.g. `GPL-2.0-only WITH Classpath-exception-2.0`. */
  license: string;
  /** The policy category or `LicenseRef-…` that decided, or `unknown`. */
  category: string;
  decision: LicenseDecision;
}

/** The result of {@link evaluateLicense}. */
export interface LicenseEvaluation {
  verdict: LicenseVerdict;
  /** Why, most decisive first. */
  reasons: string[];
  /** What users must do under the chosen licenses (inherited ones included). */
  obligations: string[];
  /** The terms of the model's own expression. */
  terms: LicenseTermEvaluation[];
  /** The evaluation of every inherited license. */
  inherited: Array<
    InheritedLicense & { verdict: LicenseVerdict; reasons: string[] }
  >;
}

const RANK: Record<LicenseVerdict, number> = {
  allowed: 0,
  review: 1,
  invalid: 2,
  denied: 3,
};

interface NodeResult {
  decision: LicenseDecision;
  reasons: string[];
  obligations: string[];
  terms: LicenseTermEvaluation[];
}

const LICENSE_REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;

/**
 * Explains why an expression does not parse: unknown ids (with a
 * case-insensitive suggestion), then the parser's own message.
 */
function explainInvalid(expression: string, error: Error): string {
  const quoted = JSON.stringify(expression);
  const words = expression.match(/[A-Za-z0-9.:+-]+/g) ?? [];
  for (const raw of words) {
    const word = raw.endsWith('+') ? raw.slice(0, -1) : raw;
    if (/^(AND|OR|WITH)$/i.test(word) || LICENSE_REF.test(word)) continue;
    if (KNOWN_SPDX_IDS.includes(word)) continue;
    if (/exception/i.test(word)) continue;
    const suggestion = KNOWN_SPDX_IDS.find(
      id => id.toLowerCase() === word.toLowerCase(),
    );
    return suggestion
      ? `${quoted} is not a valid SPDX expression: "${word}" is not an SPDX license id; did you mean "${suggestion}"?`
      : `${quoted} is not a valid SPDX expression: "${word}" is not an SPDX license id (custom terms must be written LicenseRef-<id>)`;
  }
  return `${quoted} is not a valid SPDX expression: ${error.message}`;
}

/** Parses an SPDX expression, or returns a clear message why it is invalid. */
export function parseLicenseExpression(
  expression: string | undefined,
): { ok: true; node: SpdxNode } | { ok: false; message: string } {
  if (expression === undefined || expression.trim() === '') {
    return { ok: false, message: 'no license expression given' };
  }
  const trimmed = expression.trim();
  if (trimmed === 'NOASSERTION' || trimmed === 'NONE') {
    return {
      ok: false,
      message: `"${trimmed}" states no license; a model needs an SPDX license expression (custom terms as LicenseRef-<id>)`,
    };
  }
  try {
    return { ok: true, node: parseSpdx(trimmed) };
  } catch (e) {
    return { ok: false, message: explainInvalid(trimmed, e as Error) };
  }
}

function termString(node: {
  license: string;
  plus?: true;
  exception?: string;
}): string {
  return `${node.license}${node.plus ? '+' : ''}${
    node.exception ? ` WITH ${node.exception}` : ''
  }`;
}

class PolicyMatcher {
  private readonly expanded: Array<[string, string[]]>;

  constructor(readonly policy: LicensePolicy) {
    this.expanded = Object.entries(policy.categories).map(([name, c]) => [
      name,
      expandLicensePatterns(c.licenses),
    ]);
  }

  /** The first category whose licenses satisfy the term, if any. */
  category(term: string): string | undefined {
    for (const [name, licenses] of this.expanded) {
      if (licenses.length > 0 && satisfies(term, licenses)) return name;
    }
    return undefined;
  }

  evaluateTerm(
    node: { license: string; plus?: true; exception?: string },
    use: IntendedUse,
  ): NodeResult {
    const term = termString(node);
    const ref =
      this.policy.licenseRefs[node.license.replace(/^DocumentRef-[^:]+:/, '')];
    if (LICENSE_REF.test(node.license)) {
      if (!ref) {
        return {
          decision: this.policy.unknown,
          reasons: [
            `${node.license}: custom license terms not defined in the license policy (${this.policy.unknown})`,
          ],
          obligations: [],
          terms: [
            {
              license: term,
              category: 'unknown',
              decision: this.policy.unknown,
            },
          ],
        };
      }
      const decision = ref.uses[use];
      const note = ref.notes?.[use];
      return {
        decision,
        reasons: [
          `${node.license} (${ref.name}): ${decision} for ${use} use${
            note ? `: ${note}` : ''
          }`,
        ],
        obligations: ref.obligations ?? [],
        terms: [{ license: term, category: node.license, decision }],
      };
    }

    let categoryName = this.category(term);
    let via = '';
    if (!categoryName && node.exception) {
      const byException = this.policy.exceptions[node.exception];
      if (byException) {
        categoryName = byException;
        via = ` (by its exception ${node.exception})`;
      } else {
        categoryName = this.category(
          termString({ license: node.license, plus: node.plus }),
        );
        if (categoryName)
          via = ` (exception ${node.exception} not in the policy; judged as ${node.license})`;
      }
    }
    if (!categoryName) {
      return {
        decision: this.policy.unknown,
        reasons: [
          `${term}: not covered by the license policy (${this.policy.unknown})`,
        ],
        obligations: [],
        terms: [
          { license: term, category: 'unknown', decision: this.policy.unknown },
        ],
      };
    }
    const category = this.policy.categories[categoryName];
    const decision = category.uses[use];
    const note = category.notes?.[use];
    return {
      decision,
      reasons: [
        `${term} is ${categoryName}${via}: ${decision} for ${use} use${
          note ? `: ${note}` : ''
        }`,
      ],
      obligations: category.obligations ?? [],
      terms: [{ license: term, category: categoryName, decision }],
    };
  }

  evaluateNode(node: SpdxNode, use: IntendedUse): NodeResult {
    if ('license' in node) return this.evaluateTerm(node, use);
    const left = this.evaluateNode(node.left, use);
    const right = this.evaluateNode(node.right, use);
    const terms = [...left.terms, ...right.terms];
    if (node.conjunction === 'and') {
      const worst =
        RANK[right.decision] > RANK[left.decision]
          ? right.decision
          : left.decision;
      return {
        decision: worst,
        reasons: [...left.reasons, ...right.reasons],
        obligations: unique([...left.obligations, ...right.obligations]),
        terms,
      };
    }
    // OR: the licensee may pick the best option.
    const best = RANK[right.decision] < RANK[left.decision] ? right : left;
    const other = best === left ? right : left;
    return {
      decision: best.decision,
      reasons:
        best.decision === other.decision
          ? best.reasons
          : [
              ...best.reasons,
              `(alternative not needed: ${other.reasons.join('; ')})`,
            ],
      obligations: best.obligations,
      terms,
    };
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

const matcherCache = new WeakMap<LicensePolicy, PolicyMatcher>();

function matcherFor(policy: LicensePolicy): PolicyMatcher {
  let matcher = matcherCache.get(policy);
  if (!matcher) {
    matcher = new PolicyMatcher(policy);
    matcherCache.set(policy, matcher);
  }
  return matcher;
}

/**
 * Evaluates a model's SPDX license expression for an intended use under a
 * policy. `OR` takes the best option, `AND` the worst term. Licenses inherited
 * from base models and training data bind too: when any of them denies the
 * use, the model is denied whatever its own expression says; one needing
 * review (or not stating valid terms) makes the model need review.
 */
export function evaluateLicense(
  input: LicenseEvaluationInput,
  policy: LicensePolicy = DEFAULT_LICENSE_POLICY,
): LicenseEvaluation {
  if (!INTENDED_USES.includes(input.use)) {
    throw new TypeError(
      `intended use must be one of ${INTENDED_USES.join(', ')}, got "${
        input.use
      }"`,
    );
  }
  const matcher = matcherFor(policy);
  const own = parseLicenseExpression(input.expression);
  let verdict: LicenseVerdict;
  const reasons: string[] = [];
  let obligations: string[] = [];
  let terms: LicenseTermEvaluation[] = [];
  if (own.ok) {
    const result = matcher.evaluateNode(own.node, input.use);
    verdict = result.decision;
    reasons.push(...result.reasons);
    obligations = result.obligations;
    terms = result.terms;
  } else {
    verdict = 'invalid';
    reasons.push(own.message);
  }

  const inherited: LicenseEvaluation['inherited'] = [];
  const inheritedReasons: string[] = [];
  for (const item of input.inherited ?? []) {
    const parsed = parseLicenseExpression(item.expression);
    if (!parsed.ok) {
      let why = `license of ${item.from} cannot be verified: ${parsed.message}`;
      if (item.unavailable) {
        why = `${item.from}: ${item.unavailable}; its license terms cannot be verified`;
      } else if (
        item.expression === undefined ||
        item.expression.trim() === ''
      ) {
        why = `${item.from} declares no license; its terms cannot be verified`;
      }
      inherited.push({ ...item, verdict: 'invalid', reasons: [why] });
      inheritedReasons.push(`review: ${why}`);
      if (RANK[verdict] < RANK.review) verdict = 'review';
      continue;
    }
    const result = matcher.evaluateNode(parsed.node, input.use);
    inherited.push({
      ...item,
      verdict: result.decision,
      reasons: result.reasons,
    });
    obligations = unique([...obligations, ...result.obligations]);
    if (result.decision === 'allowed') continue;
    inheritedReasons.push(
      `inherited from ${item.from} (${item.expression}): ${
        result.decision
      }: ${result.reasons.join('; ')}`,
    );
    if (RANK[result.decision] > RANK[verdict]) verdict = result.decision;
  }

  // The decisive reasons first: inherited denials override the model's own claim.
  const ordered =
    verdict === 'denied' && !reasons.some(r => r.includes(': denied for'))
      ? [...inheritedReasons, ...reasons]
      : [...reasons, ...inheritedReasons];
  return {
    verdict,
    reasons: ordered,
    obligations: unique(obligations),
    terms,
    inherited,
  };
}
