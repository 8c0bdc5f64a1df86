/*
 * Accessibility check for the end-to-end specs: runs axe-core on the page as
 * it is now and fails with one line per serious or critical violation (rule,
 * impact, the first offending nodes), so a regression names what to fix.
 */
'use strict';

const { AxeBuilder } = require('@axe-core/playwright');

/**
 * Nodes of Backstage's own chrome that we do not render and cannot fix.
 * Each entry says why; everything else on the page is checked.
 */
const BACKSTAGE_CHROME = [
  {
    // The sidebar's Notifications item (@backstage/plugin-notifications):
    // aria-label "Notifications" while its visible text is the unread count.
    selector: 'a[href="/notifications"]',
  },
  {
    // The example YAML of EntityLinksCard's empty state (a group without
    // links), highlighted by react-syntax-highlighter with its own colours.
    selector: 'pre[style] > code.language-yaml',
  },
];

/**
 * Asserts that axe finds no serious or critical violation on `page`
 * (WCAG 2.0/2.1 A and AA rules). `what` names the page in the failure.
 */
async function assertAccessible(page, what) {
  let builder = new AxeBuilder({ page }).withTags([
    'wcag2a',
    'wcag2aa',
    'wcag21a',
    'wcag21aa',
  ]);
  for (const { selector } of BACKSTAGE_CHROME)
    builder = builder.exclude(selector);
  const { violations } = await builder.analyze();
  const bad = violations.filter(
    v => v.impact === 'serious' || v.impact === 'critical',
  );
  if (bad.length > 0) {
    const lines = bad.map(
      v =>
        `${v.id} (${v.impact}, ${v.nodes.length} node(s)): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map(n => n.target.join(' '))
          .join(' | ')}`,
    );
    throw new Error(
      `axe found ${
        bad.length
      } serious/critical violation(s) on ${what}:\n${lines.join('\n')}`,
    );
  }
  return violations.length;
}

module.exports = { assertAccessible, BACKSTAGE_CHROME };
