export const workspace = 'cel-harness';
