// Where the form stand-in finds its pieces on the org's origin (the test routes them; a real org serves its own).
export const HOST_PATHS = { page: '/main.aspx', bundle: '/astep-host/bundle.js', commands: '/astep-host/commands.js', host: '/astep-host/host.js', resx: '/astep-host/strings.resx' };
