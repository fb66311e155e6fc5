export const workspace = 'simulator';
