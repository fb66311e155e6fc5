export const workspace = 'package-tools';
