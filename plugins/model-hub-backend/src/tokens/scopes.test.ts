import { requiredScope } from './scopes';

describe('requiredScope', () => {
  const M = '/v1/models/default/llm';
  it.each([
    ['GET', `${M}/versions`, 'read'],
    ['POST', `${M}/versions`, 'publish'],
    ['POST', '/v1/blobs/exists', 'publish'],
    ['POST', `${M}/versions/1.0.0/files-by-content`, 'publish'],
    ['POST', `${M}/versions/1.0.0/uploads`, 'publish'],
    ['PUT', `${M}/versions/1.0.0/uploads/u1/parts/3`, 'publish'],
    ['POST', `${M}/versions/1.0.0/uploads/u1/complete`, 'publish'],
    ['PUT', `${M}/deprecation`, 'admin'],
    ['POST', `${M}/waivers`, 'admin'],
    // Governance decisions: a token minted for publishing never decides.
    ['POST', `${M}/promotion-requests/1/approve`, 'admin'],
    ['POST', `${M}/promotion-requests/1/reject`, 'admin'],
    ['POST', `${M}/Promotion-Requests/1/approve`, 'admin'],
    ['POST', `${M}/waivers/1/approve`, 'admin'],
    ['POST', '/v1/stewardship/tasks/t1/waiver/approve', 'admin'],
    ['POST', `${M}/versions/1.0.0/uploads/u1/parts/3`, 'admin'],
    ['DELETE', '/v1/tokens/abc', 'admin'],
  ])('%s %s needs %s', (method, path, scope) => {
    expect(requiredScope(method, path)).toBe(scope);
  });
});
