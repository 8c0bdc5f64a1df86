/*
 * The model page's HTTP calls, as the browser makes them (checked against
 * Chromium's network log by e2e/tests/18-model-page-calls.test.js): two
 * loaders over one keep-alive requester, one for the page as issue #18
 * defines it (card + versions + gauntlet + consumers) and one for the whole
 * overview tab (packages/app EntityPage `modelPage`). bench:scale and
 * scaleAb.js load them at 50 clients.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const {
  parseEntityRef,
  stringifyEntityRef,
} = require('@backstage/catalog-model');

/** The fields of the catalog's relation-warning check (by-refs). */
const RELATION_CHECK_FIELDS = ['kind', 'metadata.name', 'metadata.namespace'];
/**
 * The fields the consumers card asks for (by-refs of dependencyOf targets),
 * read from the card's own `CONSUMER_FIELDS`, so the loader and the card
 * keep one list (this plain-JavaScript loader cannot import the TSX).
 */
function consumerFields() {
  const card = path.join(
    __dirname,
    '../../plugins/model-hub/src/components/EntityModelConsumersCard/EntityModelConsumersCard.tsx',
  );
  const list = /const CONSUMER_FIELDS = \[([^\]]*)\]/.exec(
    fs.readFileSync(card, 'utf8'),
  );
  if (!list) {
    throw new Error(
      `${card} no longer declares CONSUMER_FIELDS as a list of strings; update consumerFields() in scripts/bench/modelPage.js`,
    );
  }
  return [...list[1].matchAll(/'([^']+)'/g)].map(m => m[1]);
}
const CONSUMER_FIELDS = consumerFields();
/**
 * The fields Backstage's entity presentation API asks for: each
 * `EntityRefLink` of a ref (not an entity) loads its title this way,
 * batched (DataLoader) with the other links that render in the same tick.
 */
const PRESENTATION_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.description',
  'spec.profile.displayName',
  'spec.type',
];
/** The README card reads the first 256 KiB. */
const README_RANGE = { headers: { Range: `bytes=0-${256 * 1024 - 1}` } };
/** A card's image is read up to 5 MiB (FILE_PREVIEW_MAX_BYTES). */
const IMAGE_RANGE = { headers: { Range: `bytes=0-${5 * 1024 * 1024 - 1}` } };
/** The card's reads are previews, not pulls (FILE_PREVIEW_QUERY). */
const PREVIEW = '?purpose=preview';
/**
 * The relations the catalog graph card follows by default
 * (@backstage/plugin-catalog-graph ALL_RELATIONS).
 */
const GRAPH_RELATIONS = new Set([
  'apiConsumedBy',
  'apiProvidedBy',
  'childOf',
  'consumesApi',
  'dependencyOf',
  'dependsOn',
  'hasMember',
  'hasPart',
  'memberOf',
  'ownedBy',
  'ownerOf',
  'parentOf',
  'partOf',
  'providesApi',
]);

/**
 * The README the model page's card shows, from the versions GET's items:
 * the shallowest readme.md of the version aliased `latest`, else of the
 * highest sealed version; `{ version, path, files }`, or undefined.
 */
function readmeTarget(items) {
  const sealed = items.filter(v => v.state === 'sealed');
  const version =
    sealed.find(v => v.aliases?.includes('latest')) ??
    sealed.sort((a, b) => b.version.localeCompare(a.version))[0];
  const files = (version?.files ?? []).map(f => f.path);
  const card = files
    .filter(p => /(^|\/)readme\.md$/i.test(p))
    .sort((a, b) => a.split('/').length - b.split('/').length)[0];
  return card && { version: version.version, path: card, files };
}

/** The README card's read below the model's hub route (`/versions/<v>/files/<path>?purpose=preview`), or undefined. */
function readmeOf(items) {
  const t = readmeTarget(items);
  return t && `/versions/${t.version}/files/${t.path}${PREVIEW}`;
}

/**
 * The images a card shows from its own version (SafeMarkdown reads each
 * relative image that is a file of the version; external ones are not
 * loaded): Markdown `![…](src)` and HTML `<img src>`, resolved against the
 * card's folder.
 */
function cardImages(text, cardPath, files) {
  const dir = cardPath.includes('/')
    ? cardPath.slice(0, cardPath.lastIndexOf('/') + 1)
    : '';
  const sources = [
    ...text.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g),
    ...text.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi),
  ].map(m => m[1]);
  const inVersion = new Set(files);
  const out = [];
  for (const src of sources) {
    if (/^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(src)) continue;
    const parts = [];
    for (const part of `${dir}${src.split(/[?#]/)[0]}`.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(decodeURIComponent(part));
    }
    const p = parts.join('/');
    if (
      inVersion.has(p) &&
      /\.(png|jpe?g|gif|webp)$/i.test(p) &&
      !out.includes(p)
    )
      out.push(p);
  }
  return out;
}

/** A ref as the page's links hold it (kind and namespace lower case). */
function fullRef(ref, defaultKind, defaultNamespace = 'default') {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind, defaultNamespace }),
    );
  } catch {
    return undefined;
  }
}

const targetsOf = (entity, type) =>
  (entity.relations ?? []).filter(r => r.type === type).map(r => r.targetRef);

/**
 * The refs the overview links to as soon as it has the entity (each an
 * `EntityRefLink` that loads its title): owner (header, About card),
 * system (About card), the birth certificate's base model, training,
 * metric and evaluation datasets, the lineage card's base model, datasets
 * and consumers, and a deprecated model's successor.
 */
function overviewLinks(entity) {
  const spec = entity.spec ?? {};
  const ns = entity.metadata?.namespace ?? 'default';
  const str = v => (typeof v === 'string' ? v : undefined);
  const spec_ = (field, kind, v) => (str(v) ? fullRef(v, kind, ns) : undefined);
  const derived = targetsOf(entity, 'derivedFrom');
  const trained = targetsOf(entity, 'trainedOn');
  const trainingData = Array.isArray(spec.trainingData)
    ? spec.trainingData.map(r => spec_('trainingData', 'resource', r))
    : [];
  const base = spec_('baseModel', 'model', spec.baseModel?.ref);
  return [
    ...targetsOf(entity, 'ownedBy'),
    ...targetsOf(entity, 'partOf'),
    base,
    ...trainingData,
    ...(Array.isArray(spec.metrics) ? spec.metrics : []).map(m =>
      spec_('metricDataset', 'resource', m?.dataset),
    ),
    spec_('evaluationDataset', 'resource', spec.evaluation?.dataset),
    ...(derived.length ? derived : [base]),
    ...(trained.length ? trained : trainingData),
    ...targetsOf(entity, 'dependencyOf'),
    ['deprecated', 'archived'].includes(spec.lifecycle)
      ? spec_('successor', 'model', spec.successor)
      : undefined,
  ];
}

/** The owners of entities the catalog answered (their `ownedBy` relations). */
const ownersOf = items =>
  (items ?? []).filter(Boolean).flatMap(e => targetsOf(e, 'ownedBy'));

/**
 * The calls both loaders share, over one requester: JSON GETs, the
 * catalog's by-refs, the presentation API's batches (a ref is loaded once
 * per page: its cache holds it), and the README card's fetch.
 */
function pageCalls(request) {
  const json = async (p, init) => (await request(p, init)).json();
  const byRefs = (entityRefs, fields) =>
    entityRefs.length === 0
      ? undefined
      : json('/api/catalog/entities/by-refs', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(
            fields ? { entityRefs, fields } : { entityRefs },
          ),
        });
  const hubOf = name => `/api/model-hub/v1/models/default/${name}`;
  const entityOf = name =>
    json(`/api/catalog/entities/by-name/model/default/${name}`);
  /** A presenter for one page load: presents each ref once. */
  const presenter = self => {
    const seen = new Set([self]);
    return refs => {
      const fresh = [...new Set(refs.filter(Boolean))].filter(
        r => !seen.has(r),
      );
      fresh.forEach(r => seen.add(r));
      return byRefs(fresh, PRESENTATION_FIELDS);
    };
  };
  /** Versions (one GET, shared by the cards that list them), the README, its images. */
  const versionsThenReadme = async name => {
    const { items } = await json(`${hubOf(name)}/versions`);
    const card = readmeTarget(items);
    if (!card) return;
    const res = await request(
      `${hubOf(name)}/versions/${card.version}/files/${card.path}${PREVIEW}`,
      README_RANGE,
    );
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    await Promise.all(
      cardImages(text, card.path, card.files).map(async p =>
        (
          await request(
            `${hubOf(name)}/versions/${card.version}/files/${p}${PREVIEW}`,
            IMAGE_RANGE,
          )
        ).arrayBuffer(),
      ),
    );
  };
  /**
   * The consumers card: by-refs of the dependencyOf targets, then the titles
   * of its links it lacks: the consumers' owners, and consumers the catalog
   * did not answer (one it answered is linked as that entity).
   */
  const consumers = async (entity, present) => {
    const refs = targetsOf(entity, 'dependencyOf');
    const answer = await byRefs(refs, CONSUMER_FIELDS);
    await present([
      ...refs.filter((_, i) => !answer?.items?.[i]),
      ...ownersOf(answer?.items),
    ]);
  };
  return {
    json,
    byRefs,
    hubOf,
    entityOf,
    presenter,
    versionsThenReadme,
    consumers,
  };
}

/** What the issue's model page row asks for, in the row's name. */
const MODEL_PAGE_ISSUE_CALLS =
  'entity, then: versions → README, gauntlet, consumers (+ link titles)';

/**
 * One load of the model page as issue #18 defines it ("card + versions +
 * gauntlet + consumers"), with each card's calls as the browser makes them:
 * the entity first (the page renders nothing before it), then at once the
 * title of the header's owner link, the README card's calls (versions, then the
 * README's first 256 KiB and the images it shows), the versions list's (the
 * same versions GET: the client shares identical GETs in flight, so the
 * page makes it once), the gauntlet card's GET, and the consumers card's
 * (by-refs of the dependencyOf relations, the titles of its consumer links,
 * then of their owners). Resolves when the last of them has.
 */
function modelPageIssueLoader(request) {
  const { json, hubOf, entityOf, presenter, versionsThenReadme, consumers } =
    pageCalls(request);
  return async name => {
    const entity = await entityOf(name);
    const present = presenter(`model:default/${name}`);
    await Promise.all([
      present(targetsOf(entity, 'ownedBy')),
      versionsThenReadme(name),
      json(`${hubOf(name)}/gauntlet`),
      consumers(entity, present),
    ]);
  };
}

/** What the page's catalog calls are, in their row's name. */
const MODEL_PAGE_CATALOG_CALLS =
  'entity, then: owner title, consumers (+ link titles)';

/**
 * The issue's page without its hub calls ({@link modelPageIssueLoader}
 * minus versions, README and gauntlet): the calls it makes to Backstage's
 * catalog, as the browser makes them. Measured beside the whole page at
 * the same clients, it shows how much of the page's latency no hub route
 * can take away.
 */
function modelPageCatalogLoader(request) {
  const { entityOf, presenter, consumers } = pageCalls(request);
  return async name => {
    const entity = await entityOf(name);
    const present = presenter(`model:default/${name}`);
    await Promise.all([
      present(targetsOf(entity, 'ownedBy')),
      consumers(entity, present),
    ]);
  };
}

/** What the overview row asks for, in the row's name. */
function overviewCalls({ graph }) {
  return `entity, then: ancestry, relation check,${
    graph ? ' graph ×2,' : ''
  } consumers, versions → README, usage, stewardship tasks + overrides, link titles`;
}

/**
 * One load of a model page's overview tab (packages/app EntityPage
 * `modelPage`), the calls the browser makes: the entity first (the page
 * renders nothing before it), then everything the cards ask for at once —
 * the catalog's processing-errors ancestry and relation-warning check, the
 * titles of the refs the cards link to (overviewLinks), with `graph` the
 * catalog graph card (the root, then its direct relations of the kinds it
 * draws), the consumers card, versions (shared by the README and "use
 * this model" cards) then the README and its images, usage (reuse badge
 * and usage card share it; then its declared consumers' titles), and the
 * stewardship card's tasks and overrides (then the titles of a task's
 * assignee or a steward named in the hub). Resolves when the last of them
 * has.
 */
function modelPageLoader(request, { graph = false } = {}) {
  const {
    json,
    byRefs,
    hubOf,
    entityOf,
    presenter,
    versionsThenReadme,
    consumers,
  } = pageCalls(request);
  return async name => {
    const ref = `model:default/${name}`;
    const entity = await entityOf(name);
    const present = presenter(ref);
    const targets = (entity.relations ?? []).map(r => r.targetRef);
    await Promise.all([
      json(`/api/catalog/entities/by-name/model/default/${name}/ancestry`),
      targets.length <= 1000
        ? byRefs(targets, RELATION_CHECK_FIELDS)
        : undefined,
      present(overviewLinks(entity)),
      graph &&
        (async () => {
          await byRefs([ref]);
          await byRefs([
            ...new Set(
              (entity.relations ?? [])
                .filter(r => GRAPH_RELATIONS.has(r.type))
                .map(r => r.targetRef)
                .filter(t => t !== ref),
            ),
          ]);
        })(),
      consumers(entity, present),
      versionsThenReadme(name),
      (async () => {
        const usage = await json(`${hubOf(name)}/usage`);
        await present(
          (usage.declaredConsumers ?? []).flatMap(c => [c.entityRef, c.owner]),
        );
      })(),
      (async () => {
        const [tasks, overrides] = await Promise.all([
          json(
            `/api/model-hub/v1/stewardship/tasks?entityRef=${encodeURIComponent(
              ref,
            )}`,
          ),
          json(
            `/api/model-hub/v1/stewardship/models/default/${name}/overrides`,
          ),
        ]);
        await present([
          ...(tasks.items ?? []).flatMap(t => [t.entityRef, t.assignee]),
          overrides.steward?.ref,
        ]);
      })(),
    ]);
  };
}

/**
 * Whether a checkout's model page shows the catalog graph card on its
 * overview tab (it moved to its own tab), read from its EntityPage.tsx.
 */
function overviewHasGraph(root) {
  const source = fs.readFileSync(
    path.join(root, 'packages/app/src/components/catalog/EntityPage.tsx'),
    'utf8',
  );
  const page = source.slice(source.indexOf('const modelPage'));
  const overview = page.slice(0, page.indexOf('</EntityLayout.Route>'));
  return overview.includes('<EntityCatalogGraphCard');
}

module.exports = {
  modelPageLoader,
  modelPageIssueLoader,
  modelPageCatalogLoader,
  MODEL_PAGE_CATALOG_CALLS,
  overviewCalls,
  overviewHasGraph,
  MODEL_PAGE_ISSUE_CALLS,
  readmeOf,
  readmeTarget,
  cardImages,
  overviewLinks,
  RELATION_CHECK_FIELDS,
  CONSUMER_FIELDS,
  PRESENTATION_FIELDS,
  README_RANGE,
  GRAPH_RELATIONS,
};
