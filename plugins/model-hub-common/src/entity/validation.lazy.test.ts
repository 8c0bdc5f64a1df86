// Loading the Model and dataset conventions must not compile their JSON
// schemas: every full page load of the portal evaluates these modules, and
// an ajv compile costs the browser hundreds of milliseconds.
describe('schema validators compile on first use', () => {
  it('compiles each schema once, when something is first validated', () => {
    jest.isolateModules(() => {
      const compile = jest.fn();
      jest.doMock('@backstage/catalog-model', () => {
        const actual = jest.requireActual('@backstage/catalog-model');
        compile.mockImplementation(actual.entityKindSchemaValidator);
        return { ...actual, entityKindSchemaValidator: compile };
      });
      const { validateModelEntity } = require('./ModelEntityV1alpha1');
      const { validateDatasetEntity } = require('./DatasetEntity');
      expect(compile).not.toHaveBeenCalled();

      const model = {
        apiVersion: 'modelhub.io/v1alpha1',
        kind: 'Model',
        metadata: { name: 'm' },
        spec: { type: 'classifier' },
      };
      expect(validateModelEntity(model).valid).toBe(false);
      expect(validateModelEntity(model).valid).toBe(false);
      expect(compile).toHaveBeenCalledTimes(1);

      validateDatasetEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'd' },
        spec: { type: 'dataset' },
      });
      expect(compile).toHaveBeenCalledTimes(2);
    });
  });
});
