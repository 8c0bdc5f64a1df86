import { Config } from '@backstage/config';
import spdxLicenseIds from 'spdx-license-ids/index.json';
import deprecatedSpdxLicenseIds from 'spdx-license-ids/deprecated.json';

/** What a model is going to be used for; license terms differ per use. */
export type IntendedUse = 'commercial' | 'internal' | 'research';

/** Every {@link IntendedUse}. */
export const INTENDED_USES: readonly IntendedUse[] = [
  'commercial',
  'internal',
  'research',
];

/** A policy's decision for one license and one use. */
export type LicenseDecision = 'allowed' | 'denied' | 'review';

/** A family of licenses with the same decisions, e.g. `permissive`. */
export interface LicenseCategory {
  /** One line on what the family is. */
  description: string;
  /**
   * SPDX license ids. `GPL-2.0+` covers every later version and the
   * `-only`/`-or-later` spellings (matched with `spdx-satisfies`); a trailing
   * `*` matches by prefix (`BSD-*`).
   */
  licenses: string[];
  uses: Record<IntendedUse, LicenseDecision>;
  /** Why a use is not simply allowed, shown as a reason. */
  notes?: Partial<Record<IntendedUse, string>>;
  /** What every user must do (attribution, notices, …). */
  obligations?: string[];
}

/** Custom license terms (`LicenseRef-…`) known to the policy. */
export interface LicenseRefTerms {
  /** The terms' full name, e.g. `Meta Llama 3 Community License`. */
  name: string;
  uses: Record<IntendedUse, LicenseDecision>;
  notes?: Partial<Record<IntendedUse, string>>;
  obligations?: string[];
  /** Where the terms can be read. */
  url?: string;
}

/** The rules the license check applies. */
export interface LicensePolicy {
  /** License families, matched in order: the first containing a license decides. */
  categories: Record<string, LicenseCategory>;
  /** Custom terms by `LicenseRef-…` id. */
  licenseRefs: Record<string, LicenseRefTerms>;
  /**
   * License exceptions (after `WITH`) that move a license to another
   * category, e.g. `Classpath-exception-2.0` → `weak-copyleft`.
   */
  exceptions: Record<string, string>;
  /** The decision for licenses the policy does not mention. */
  unknown: LicenseDecision;
}

const ALL_ALLOWED: Record<IntendedUse, LicenseDecision> = {
  commercial: 'allowed',
  internal: 'allowed',
  research: 'allowed',
};

const LLAMA_OBLIGATIONS = [
  'Display "Built with Llama" prominently with products or services that use the model',
  'Name derived models starting with "Llama" and ship a copy of the license with them',
  'Follow the Llama Acceptable Use Policy',
  'Organisations above 700 million monthly active users need a separate license from Meta',
];

/**
 * The default license policy: permissive licenses are allowed for every use;
 * weak copyleft needs review for commercial use; strong copyleft is denied for
 * commercial use and reviewed for internal use; non-commercial licenses are
 * for research only; anything the policy does not know goes to review.
 * Override or extend it under `modelHub.gauntlet.license.policy`.
 */
export const DEFAULT_LICENSE_POLICY: LicensePolicy = {
  categories: {
    permissive: {
      description: 'Permissive licenses: use, modify and ship with attribution',
      licenses: [
        'MIT',
        'MIT-0',
        'Apache-2.0',
        'BSD-*',
        '0BSD',
        'ISC',
        'Zlib',
        'Unlicense',
        'BSL-1.0',
        'PSF-2.0',
        'Python-2.0',
        'PostgreSQL',
        'UPL-1.0',
        'NCSA',
        'X11',
        'CC0-1.0',
        'CC-BY-3.0',
        'CC-BY-4.0',
        'CDLA-Permissive-1.0',
        'CDLA-Permissive-2.0',
        'ODC-By-1.0',
        'PDDL-1.0',
      ],
      uses: ALL_ALLOWED,
      obligations: ['Keep the copyright and license notices'],
    },
    'weak-copyleft': {
      description:
        'Weak (file- or library-level) copyleft: changes to the covered files must be shared',
      licenses: [
        'LGPL-2.0+',
        'LGPL-2.1+',
        'LGPL-3.0+',
        'MPL-1.1',
        'MPL-2.0',
        'EPL-1.0',
        'EPL-2.0',
        'CDDL-1.0',
        'CDDL-1.1',
        'CC-BY-SA-3.0',
        'CC-BY-SA-4.0',
        'CDLA-Sharing-1.0',
        'ODbL-1.0',
      ],
      uses: { commercial: 'review', internal: 'allowed', research: 'allowed' },
      notes: {
        commercial:
          'weak copyleft: shipping it in a product obliges sharing changes to the covered parts; legal review needed',
      },
    },
    'strong-copyleft': {
      description:
        'Strong copyleft: derived works must be released under the same license',
      licenses: [
        'GPL-1.0+',
        'GPL-2.0+',
        'GPL-3.0+',
        'AGPL-1.0+',
        'AGPL-3.0+',
        'OSL-3.0',
        'EUPL-1.1',
        'EUPL-1.2',
        'SSPL-1.0',
      ],
      uses: { commercial: 'denied', internal: 'review', research: 'allowed' },
      notes: {
        commercial:
          'strong copyleft: a commercial product built on it would have to be released under the same license',
        internal:
          'strong copyleft: internal use is fine until the model or a derivative is distributed or (AGPL) offered over a network; legal review needed',
      },
    },
    'non-commercial': {
      description: 'Non-commercial licenses: research and personal use only',
      licenses: ['CC-BY-NC-*'],
      uses: { commercial: 'denied', internal: 'denied', research: 'allowed' },
      notes: {
        commercial: 'non-commercial license: no commercial use',
        internal:
          'non-commercial license: use inside a company counts as commercial use',
      },
    },
    'no-derivatives': {
      description: 'No-derivatives licenses: redistribution unchanged only',
      licenses: ['CC-BY-ND-*'],
      uses: { commercial: 'review', internal: 'review', research: 'review' },
      notes: {
        commercial:
          'no-derivatives license: fine-tuning or modifying may be forbidden',
        internal:
          'no-derivatives license: fine-tuning or modifying may be forbidden',
        research:
          'no-derivatives license: fine-tuning or modifying may be forbidden',
      },
    },
  },
  licenseRefs: {
    'LicenseRef-llama-3-community': {
      name: 'Meta Llama 3 Community License',
      url: 'https://www.llama.com/llama3/license/',
      uses: { commercial: 'review', internal: 'allowed', research: 'allowed' },
      notes: {
        commercial:
          'commercial use is allowed below 700 million monthly active users, with attribution and the Acceptable Use Policy; legal review confirms scale and obligations',
      },
      obligations: LLAMA_OBLIGATIONS,
    },
    'LicenseRef-llama-2-community': {
      name: 'Llama 2 Community License',
      url: 'https://ai.meta.com/llama/license/',
      uses: { commercial: 'review', internal: 'allowed', research: 'allowed' },
      notes: {
        commercial:
          'commercial use is allowed below 700 million monthly active users, under the Acceptable Use Policy; legal review confirms scale and obligations',
      },
      obligations: [
        'Ship a copy of the license with the model',
        'Follow the Llama 2 Acceptable Use Policy',
        'Organisations above 700 million monthly active users need a separate license from Meta',
      ],
    },
    'LicenseRef-gemma': {
      name: 'Gemma Terms of Use',
      url: 'https://ai.google.dev/gemma/terms',
      uses: ALL_ALLOWED,
      obligations: [
        'Follow the Gemma Prohibited Use Policy',
        'Pass the use restrictions on to anyone the model or a derivative is given to',
      ],
    },
    'LicenseRef-openrail-m': {
      name: 'BigScience OpenRAIL-M License',
      url: 'https://www.licenses.ai/blog/2022/8/26/bigscience-open-rail-m-license',
      uses: ALL_ALLOWED,
      obligations: [
        'Follow the use-based restrictions of Attachment A',
        'Pass the use restrictions on to anyone the model or a derivative is given to',
      ],
    },
  },
  exceptions: {
    'Classpath-exception-2.0': 'weak-copyleft',
    'GCC-exception-3.1': 'weak-copyleft',
    'LLVM-exception': 'permissive',
  },
  unknown: 'review',
};

const DECISIONS: readonly LicenseDecision[] = ['allowed', 'denied', 'review'];

function readUses(
  config: Config,
  key: string,
): Record<IntendedUse, LicenseDecision> {
  const uses = {} as Record<IntendedUse, LicenseDecision>;
  for (const use of INTENDED_USES) {
    const value = config.getString(`${key}.${use}`);
    if (!DECISIONS.includes(value as LicenseDecision)) {
      throw new Error(
        `Invalid license policy: ${key}.${use} must be one of ${DECISIONS.join(
          ', ',
        )}, got "${value}"`,
      );
    }
    uses[use] = value as LicenseDecision;
  }
  return uses;
}

function readNotes(
  config: Config,
  key: string,
): Partial<Record<IntendedUse, string>> | undefined {
  const notes = config.getOptionalConfig(key);
  if (!notes) return undefined;
  const result: Partial<Record<IntendedUse, string>> = {};
  for (const use of INTENDED_USES) {
    const note = notes.getOptionalString(use);
    if (note) result[use] = note;
  }
  return result;
}

/**
 * Reads a license policy from config (the `modelHub.gauntlet.license.policy`
 * block) on top of the default: categories and license refs given in config
 * replace same-named defaults and are matched before them; exceptions merge;
 * `unknown` replaces. With `replaceDefaults: true` the defaults are dropped.
 */
export function readLicensePolicy(config?: Config): LicensePolicy {
  if (!config) return DEFAULT_LICENSE_POLICY;
  const base: LicensePolicy = config.getOptionalBoolean('replaceDefaults')
    ? { categories: {}, licenseRefs: {}, exceptions: {}, unknown: 'review' }
    : DEFAULT_LICENSE_POLICY;

  const categories: Record<string, LicenseCategory> = {};
  const categoriesConfig = config.getOptionalConfig('categories');
  for (const name of categoriesConfig?.keys() ?? []) {
    const c = categoriesConfig!.getConfig(name);
    categories[name] = {
      description: c.getOptionalString('description') ?? name,
      licenses: c.getStringArray('licenses'),
      uses: readUses(c, 'uses'),
      notes: readNotes(c, 'notes'),
      obligations: c.getOptionalStringArray('obligations'),
    };
  }
  for (const [name, category] of Object.entries(base.categories)) {
    if (!(name in categories)) categories[name] = category;
  }

  const licenseRefs: Record<string, LicenseRefTerms> = { ...base.licenseRefs };
  const refsConfig = config.getOptionalConfig('licenseRefs');
  for (const id of refsConfig?.keys() ?? []) {
    if (!/^LicenseRef-[A-Za-z0-9.-]+$/.test(id)) {
      throw new Error(
        `Invalid license policy: licenseRefs key "${id}" must look like LicenseRef-<letters, digits, . or ->`,
      );
    }
    const r = refsConfig!.getConfig(id);
    licenseRefs[id] = {
      name: r.getOptionalString('name') ?? id,
      url: r.getOptionalString('url'),
      uses: readUses(r, 'uses'),
      notes: readNotes(r, 'notes'),
      obligations: r.getOptionalStringArray('obligations'),
    };
  }

  const exceptions: Record<string, string> = { ...base.exceptions };
  const exceptionsConfig = config.getOptionalConfig('exceptions');
  for (const id of exceptionsConfig?.keys() ?? []) {
    exceptions[id] = exceptionsConfig!.getString(id);
  }
  for (const [exception, category] of Object.entries(exceptions)) {
    if (!(category in categories)) {
      throw new Error(
        `Invalid license policy: exception ${exception} refers to unknown category "${category}"`,
      );
    }
  }

  const unknown = config.getOptionalString('unknown') ?? base.unknown;
  if (!DECISIONS.includes(unknown as LicenseDecision)) {
    throw new Error(
      `Invalid license policy: unknown must be one of ${DECISIONS.join(
        ', ',
      )}, got "${unknown}"`,
    );
  }
  return {
    categories,
    licenseRefs,
    exceptions,
    unknown: unknown as LicenseDecision,
  };
}

/** Every SPDX license id the parser knows (current and deprecated). */
export const KNOWN_SPDX_IDS: readonly string[] = [
  ...spdxLicenseIds,
  ...deprecatedSpdxLicenseIds,
];

/** Expands `*` prefix patterns of a category against the SPDX list. */
export function expandLicensePatterns(licenses: string[]): string[] {
  const result: string[] = [];
  for (const l of licenses) {
    if (l.endsWith('*')) {
      const prefix = l.slice(0, -1);
      result.push(...KNOWN_SPDX_IDS.filter(id => id.startsWith(prefix)));
    } else {
      result.push(l);
    }
  }
  return result;
}
