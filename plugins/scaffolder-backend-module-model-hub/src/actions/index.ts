export * from './register';
export * from './publishVersion';
export * from './requestPromotion';
export * from './deprecate';
