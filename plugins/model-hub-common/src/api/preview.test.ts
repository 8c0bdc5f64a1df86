import {
  cardImageType,
  FILE_PREVIEW_MAX_BYTES,
  isPreviewablePath,
  isPreviewRange,
} from './preview';

describe('cardImageType', () => {
  it('allows raster images by extension only', () => {
    expect(cardImageType('a/B.PNG')).toBe('image/png');
    expect(cardImageType('x.jpeg')).toBe('image/jpeg');
    expect(cardImageType('x.svg')).toBeUndefined();
    expect(cardImageType('x.html')).toBeUndefined();
    expect(cardImageType('png')).toBeUndefined();
  });
});

describe('isPreviewablePath', () => {
  it('takes model cards and card images, nothing else', () => {
    expect(isPreviewablePath('README.md')).toBe(true);
    expect(isPreviewablePath('docs/Card.MD')).toBe(true);
    expect(isPreviewablePath('img/chart.png')).toBe(true);
    expect(isPreviewablePath('model.safetensors')).toBe(false);
    expect(isPreviewablePath('weights.bin')).toBe(false);
    expect(isPreviewablePath('README.md.bin')).toBe(false);
    expect(isPreviewablePath('logo.svg')).toBe(false);
  });
});

describe('isPreviewRange', () => {
  it("takes one range from the file's start within the preview size", () => {
    expect(isPreviewRange('bytes=0-262143')).toBe(true);
    expect(isPreviewRange(`bytes=0-${FILE_PREVIEW_MAX_BYTES - 1}`)).toBe(true);
  });

  it('refuses no range, open or later ranges, several ranges and larger ones', () => {
    expect(isPreviewRange(undefined)).toBe(false);
    expect(isPreviewRange('bytes=0-')).toBe(false);
    expect(isPreviewRange('bytes=1-100')).toBe(false);
    expect(isPreviewRange('bytes=-100')).toBe(false);
    expect(isPreviewRange('bytes=0-10, 20-30')).toBe(false);
    expect(isPreviewRange(`bytes=0-${FILE_PREVIEW_MAX_BYTES}`)).toBe(false);
    expect(isPreviewRange('bytes=0-99999999999999999999')).toBe(false);
    expect(isPreviewRange('items=0-10')).toBe(false);
  });
});
