import { crc32 } from 'node:zlib';
import { ScanReport } from './report';
import { BufferSource } from './source';
import { analyzeSource } from './analyze';

/*
 * A Keras v3 config names every object by module and class (or function)
 * name, and Keras resolves any public name under `keras.*` and any module
 * under `keras.src.*`. Some of them act on load: utils.get_file downloads,
 * models.load_model loads another model (whose Lambda runs),
 * config.enable_unsafe_deserialization turns safe mode off, lookup layers
 * read a vocabulary file from the loading host, TorchModuleWrapper unpickles.
 */

/** A stored zip entry: local header and data, central record, end record. */
function kerasArchive(config: unknown): Buffer {
  const name = Buffer.from('config.json');
  const data = Buffer.from(JSON.stringify(config));
  const l = Buffer.alloc(30);
  l.writeUInt32LE(0x04034b50, 0);
  l.writeUInt16LE(20, 4);
  l.writeUInt32LE(crc32(data), 14);
  l.writeUInt32LE(data.length, 18);
  l.writeUInt32LE(data.length, 22);
  l.writeUInt16LE(name.length, 26);
  const c = Buffer.alloc(46);
  c.writeUInt32LE(0x02014b50, 0);
  c.writeUInt16LE(20, 4);
  c.writeUInt16LE(20, 6);
  c.writeUInt32LE(crc32(data), 16);
  c.writeUInt32LE(data.length, 20);
  c.writeUInt32LE(data.length, 24);
  c.writeUInt16LE(name.length, 28);
  const localPart = Buffer.concat([l, name, data]);
  const centralPart = Buffer.concat([c, name]);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(1, 8);
  e.writeUInt16LE(1, 10);
  e.writeUInt32LE(centralPart.length, 12);
  e.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, e]);
}

const obj = (module: string, className: string, config: unknown = {}) => ({
  module,
  class_name: className,
  config,
  registered_name: null,
});

/** A functional model with one Dense layer carrying `extra` in its config. */
function model(extra: Record<string, unknown>, layer?: unknown) {
  return obj('keras.src.models.functional', 'Functional', {
    name: 'm',
    dtype: obj('keras', 'DTypePolicy', { name: 'float32' }),
    layers: [
      layer ??
        obj('keras.layers', 'Dense', {
          name: 'd',
          units: 2,
          activation: 'relu',
          kernel_initializer: obj('keras.initializers', 'GlorotUniform', {
            seed: null,
          }),
          kernel_regularizer: obj('keras.regularizers', 'L2', { l2: 0.01 }),
          ...extra,
        }),
    ],
  });
}

async function scan(config: unknown) {
  const report = new ScanReport();
  const { format } = await analyzeSource(
    new BufferSource(kerasArchive(config)),
    report,
    '',
  );
  return {
    format,
    parsedFully: report.parsedFully,
    high: report.findings.filter(
      f => f.severity === 'high' || f.severity === 'critical',
    ),
    rules: report.findings.map(f => f.rule),
  };
}

describe('Keras objects named from keras modules', () => {
  it('leaves a plain model (layers, initializers, regularizers, dtype policy, optimizer, loss) unflagged', async () => {
    const config = {
      ...model({
        activation: obj('keras.activations', 'function', 'relu'),
      }),
      compile_config: {
        optimizer: obj('keras.optimizers', 'Adam', { learning_rate: 0.001 }),
        loss: obj('keras.losses', 'MeanSquaredError', {}),
        metrics: [obj('keras.metrics', 'MeanAbsoluteError', {})],
      },
    };
    const r = await scan(config);
    expect(r.format).toBe('keras');
    expect(r.parsedFully).toBe(true);
    expect(r.rules).toEqual([]);
  });

  it.each([
    ['keras.utils', 'get_file', 'downloads a file'],
    ['keras.src.utils.file_utils', 'get_file', 'downloads a file'],
    ['keras.models', 'load_model', 'loads another model'],
    ['keras.saving', 'load_model', 'loads another model'],
    ['keras.config', 'enable_unsafe_deserialization', 'turns safe mode off'],
  ])(
    'flags %s.%s named as a function in a layer config (it %s)',
    async (module, fn) => {
      const r = await scan(model({ activation: obj(module, 'function', fn) }));
      expect(r.high.map(f => f.rule)).toContain('keras/dangerous-object');
    },
  );

  it('flags a dangerous Keras function named as a class (module "keras", class "utils.get_file")', async () => {
    const r = await scan(
      model({ kernel_initializer: obj('keras', 'utils.get_file', {}) }),
    );
    expect(r.high.map(f => f.rule)).toContain('keras/dangerous-object');
  });

  it('resolves class "function" to the function it names outside Keras too (builtins.eval)', async () => {
    const r = await scan(
      model({ activation: obj('builtins', 'function', 'eval') }),
    );
    expect(r.high.map(f => f.rule)).toContain('keras/custom-object');
  });

  it('flags a TFSMLayer (it loads the TensorFlow SavedModel at a path in its config, whose graph can read and write files)', async () => {
    const r = await scan(
      model(
        {},
        obj('keras.layers', 'TFSMLayer', {
          name: 's',
          filepath: '/tmp/evil_saved_model',
          call_endpoint: 'serve',
        }),
      ),
    );
    expect(r.high.map(f => f.rule)).toContain('keras/dangerous-object');
  });

  it('flags a TorchModuleWrapper layer (its config holds a torch.save pickle that is unpickled on load)', async () => {
    const r = await scan(
      model(
        {},
        obj('keras.layers', 'TorchModuleWrapper', {
          name: 't',
          module: 'AAAA',
        }),
      ),
    );
    expect(r.high.map(f => f.rule)).toContain('keras/dangerous-object');
  });

  it.each(['StringLookup', 'IntegerLookup', 'TextVectorization'])(
    'flags a %s whose vocabulary is a path (read from the loading host or a URL on load)',
    async layer => {
      const r = await scan(
        model(
          {},
          obj('keras.layers', layer, { name: 'v', vocabulary: '/etc/passwd' }),
        ),
      );
      expect(r.high.map(f => f.rule)).toContain('keras/file-reference');
    },
  );

  it.each([
    // tf.keras 2 configs (HDF5 model_config) name layers without a module
    {
      class_name: 'StringLookup',
      config: { name: 'v', vocabulary: 'gs://bucket/secrets.txt' },
    },
    {
      class_name: 'DenseFeatures',
      config: {
        name: 'f',
        feature_columns: [
          {
            class_name: 'VocabularyFileCategoricalColumn',
            config: { key: 'k', vocabulary_file: '/etc/passwd' },
          },
        ],
      },
    },
  ])(
    'flags a vocabulary file named without a module ($class_name)',
    async layer => {
      const r = await scan(model({}, layer));
      expect(r.high.map(f => f.rule)).toContain('keras/file-reference');
    },
  );

  it('leaves a lookup layer with an inline vocabulary unflagged', async () => {
    const r = await scan(
      model(
        {},
        obj('keras.layers', 'StringLookup', {
          name: 'v',
          vocabulary: ['a', 'b'],
        }),
      ),
    );
    expect(r.rules).toEqual([]);
  });

  it('makes any other Keras object outside the known-safe modules error, not trusted', async () => {
    const r = await scan(
      model({ activation: obj('keras.src.backend.common', 'function', 'x') }),
    );
    expect(r.parsedFully).toBe(false);
    expect(r.rules).toContain('keras/unlisted-object');
  });
});
