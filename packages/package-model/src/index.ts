export const workspace = 'package-model';
