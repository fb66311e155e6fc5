export const workspace = 'package-tools';
export * from './setup';
