export const workspace = 'collector';
