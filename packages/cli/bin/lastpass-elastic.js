#!/usr/bin/env node
// Committed shim so npm can link the bin at install time, before `prepare` has compiled dist/.
'use strict';
require('../dist/main.js');
