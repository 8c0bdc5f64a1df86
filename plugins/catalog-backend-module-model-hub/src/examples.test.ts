import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  getModelSpecReferences,
  isDatasetEntity,
  isModelEntity,
  MODEL_HUB_ANNOTATIONS,
  ModelEntityV1alpha1,
  validateDatasetEntity,
  validateModelEntity,
} from '@internal/plugin-model-hub-common';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

/** Reads every entity of a YAML file; fails on YAML errors. */
function readEntities(file: string): Entity[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return docs.flatMap(doc => {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors.map(e => e.message).join('; ')}`);
    }
    const value = doc.toJS();
    return value ? [value as Entity] : [];
  });
}

/** Follows the Location entities from examples/catalog.yaml, like the catalog does. */
function loadExamples(): { files: string[]; entities: Entity[] } {
  const files: string[] = [];
  const entities: Entity[] = [];
  const todo = [path.join(EXAMPLES, 'catalog.yaml')];
  while (todo.length > 0) {
    const file = todo.shift()!;
    files.push(file);
    for (const entity of readEntities(file)) {
      entities.push(entity);
      if (entity.kind === 'Location') {
        for (const target of (entity.spec?.targets as string[]) ?? []) {
          todo.push(path.resolve(path.dirname(file), target));
        }
      }
    }
  }
  return { files, entities };
}

function yamlFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(d => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return yamlFilesUnder(p);
    return /\.ya?ml$/.test(d.name) ? [p] : [];
  });
}

const refOf = (e: Entity) => stringifyEntityRef(e).toLocaleLowerCase('en-US');
const norm = (ref: string, defaultKind: string) =>
  stringifyEntityRef(
    parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');

describe('examples', () => {
  const { files, entities } = loadExamples();
  const known = new Set(entities.map(refOf));
  const models = entities.filter(isModelEntity) as ModelEntityV1alpha1[];
  const datasets = entities.filter(isDatasetEntity);
  const byRef = new Map(entities.map(e => [refOf(e), e]));

  it('catalog.yaml reaches every example entity file, and every target exists', () => {
    for (const file of files) {
      expect(fs.existsSync(file)).toBe(true);
    }
    const unreachable = yamlFilesUnder(EXAMPLES)
      // The template's content is scaffolder input with ${{ }} placeholders, not an entity.
      .filter(f => !f.startsWith(path.join(EXAMPLES, 'template', 'content')))
      // Other YAML (e.g. app-config fragments under policies/) holds no entities.
      .filter(f => readEntities(f).some(e => e.apiVersion && e.kind))
      .filter(f => !files.includes(f));
    expect(unreachable).toEqual([]);
  });

  it('defines each entity once', () => {
    expect(known.size).toBe(entities.length);
  });

  it('every Model passes the Model validator', () => {
    expect(models.length).toBeGreaterThanOrEqual(9);
    for (const model of models) {
      expect({ ref: refOf(model), ...validateModelEntity(model) }).toEqual({
        ref: refOf(model),
        valid: true,
        errors: [],
      });
    }
  });

  it('every Resource is a dataset that passes the dataset convention, with a checksum', () => {
    const resources = entities.filter(e => e.kind === 'Resource');
    expect(resources.length).toBeGreaterThanOrEqual(5);
    expect(datasets).toEqual(resources);
    for (const dataset of datasets) {
      expect({
        ref: refOf(dataset),
        ...validateDatasetEntity(dataset),
      }).toEqual({
        ref: refOf(dataset),
        valid: true,
        errors: [],
      });
      expect(dataset.spec.dataset.source.checksum).toMatch(/^sha256:/);
    }
  });

  it('every model reference resolves to an example entity', () => {
    const dangling = models.flatMap(model =>
      getModelSpecReferences(model)
        .map(r => ({
          from: refOf(model),
          field: r.path,
          to: stringifyEntityRef(r.target),
        }))
        .filter(r => !known.has(r.to)),
    );
    expect(dangling).toEqual([]);
  });

  it('every dependsOn, owner, system, memberOf and API ref of the other entities resolves', () => {
    const dangling: string[] = [];
    const check = (
      e: Entity,
      field: string,
      value: unknown,
      defaultKind: string,
    ) => {
      for (const ref of [value ?? []].flat() as string[]) {
        if (!known.has(norm(ref, defaultKind)))
          dangling.push(`${refOf(e)} ${field} ${ref}`);
      }
    };
    for (const e of entities.filter(x => !isModelEntity(x))) {
      check(e, 'dependsOn', e.spec?.dependsOn, 'Component');
      check(e, 'owner', e.spec?.owner, 'Group');
      check(e, 'system', e.spec?.system, 'System');
      check(e, 'memberOf', e.spec?.memberOf, 'Group');
      check(e, 'providesApis', e.spec?.providesApis, 'API');
      check(e, 'consumesApis', e.spec?.consumesApis, 'API');
      check(e, 'parent', e.spec?.parent, 'Group');
      check(e, 'children', e.spec?.children, 'Group');
    }
    expect(dangling).toEqual([]);
  });

  it('tells the story the README promises', () => {
    const model = (name: string) =>
      byRef.get(`model:default/${name}`) as ModelEntityV1alpha1;
    // Every tier is represented.
    expect(new Set(models.map(m => m.spec.tier))).toEqual(
      new Set(['official', 'community', 'external']),
    );
    // The official fine-tune of an external base model, under the base model's terms.
    const assistant = model('support-assistant');
    const base = model(assistant.spec.baseModel!.ref.split('/')[1]);
    expect(assistant.spec.baseModel!.relation).toBe('fine-tune');
    expect(base.spec.tier).toBe('external');
    expect(assistant.spec.license).toBe(base.spec.license);
    // The deprecated model has a successor and dependents in several teams.
    const v1 = model('sentiment-classifier-v1');
    expect(v1.spec.lifecycle).toBe('deprecated');
    expect(byRef.has(norm(v1.spec.successor!, 'Model'))).toBe(true);
    const dependents = entities.filter(e =>
      ((e.spec?.dependsOn as string[]) ?? []).some(
        r => norm(r, 'Component') === refOf(v1),
      ),
    );
    expect(dependents.length).toBeGreaterThanOrEqual(3);
    expect(
      new Set(dependents.map(d => d.spec!.owner)).size,
    ).toBeGreaterThanOrEqual(2);
    // The steward has left: annotated as departed and in no team any more.
    const leftSteward = byRef.get(
      norm(model('route-eta-estimator').spec.steward!, 'User'),
    )!;
    expect(
      leftSteward.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.departed],
    ).toBe('true');
    expect(leftSteward.spec!.memberOf).toEqual([]);
    expect(
      models.filter(
        m =>
          m.spec.steward && norm(m.spec.steward, 'User') === refOf(leftSteward),
      ),
    ).toHaveLength(1);
    // The stale model: no activity for more than 18 months.
    const lastActivity =
      model('demand-forecaster').metadata.annotations![
        MODEL_HUB_ANNOTATIONS.lastActivity
      ];
    const eighteenMonthsAgo = new Date();
    eighteenMonthsAgo.setMonth(eighteenMonthsAgo.getMonth() - 18);
    expect(new Date(lastActivity).getTime()).toBeLessThan(
      eighteenMonthsAgo.getTime(),
    );
    // The model that claims official but lacks what official requires.
    const churn = model('churn-classifier');
    expect(churn.spec.tier).toBe('official');
    expect(churn.spec.intendedUse).toBeUndefined();
    expect(churn.spec.evaluation?.sensitiveAttributes?.length).toBeGreaterThan(
      0,
    );
    // The governance group exists.
    expect(known.has('group:default/ai-governance')).toBe(true);
  });
});
