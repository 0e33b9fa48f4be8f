// The npm package `fs` is a placeholder; dataverse-ify names it as a dependency but means Node's built-in.
module.exports = require('node:fs');
