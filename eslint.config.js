// ESLint (flat config): the browser modules under static/js and their Node tests.
import js from "@eslint/js";
import globals from "globals";

const oneDialect = {
  "no-var": "error",
  "prefer-const": "error",
  eqeqeq: ["error", "always"],
};

export default [
  { ignores: ["node_modules/", ".venv/"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      // `io` comes from the Socket.IO client, a classic script loaded before the modules.
      globals: { ...globals.browser, io: "readonly" },
    },
    rules: oneDialect,
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: globals.node },
    rules: oneDialect,
  },
];
