// Prettier options, as in the OCA addons repository template for 18.0.
// A CommonJS config (instead of .prettierrc.yml) is needed so that the XML
// plugin installed in pre-commit's isolated node environment is found:
// https://github.com/prettier/prettier/issues/15388#issuecomment-1717746872
// Prettier completes these options with the settings of .editorconfig.
/** @type {import('prettier').Config} */
const config = {
  plugins: [require.resolve("@prettier/plugin-xml")],
  bracketSpacing: false,
  printWidth: 88,
  proseWrap: "always",
  semi: true,
  trailingComma: "es5",
  xmlWhitespaceSensitivity: "preserve",
};

module.exports = config;
