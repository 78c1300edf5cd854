// The text lookup both pages use: t('key', {n: 3}) fills {n} from the dictionary of the current
// language, falling back to Chinese, then to the key. Each page brings its own dictionaries.

export function createI18n(dicts, first = 'zh') {
  let current = first;
  const i18n = {
    lang: () => current,
    setLang(lang) {
      current = lang === 'en' ? 'en' : 'zh';
      document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
    },
    t(key, vars) {
      let s = dicts[current][key] ?? dicts.zh[key] ?? key;
      if (vars)
        s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : m));
      return s;
    },
    /** Fills every [data-i18n] element's text, [data-i18n-title] title, [data-i18n-placeholder]. */
    translatePage(root = document) {
      for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = i18n.t(el.dataset.i18n);
      for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = i18n.t(el.dataset.i18nTitle);
      for (const el of root.querySelectorAll('[data-i18n-placeholder]'))
        el.placeholder = i18n.t(el.dataset.i18nPlaceholder);
    },
  };
  return i18n;
}
