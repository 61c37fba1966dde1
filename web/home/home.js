/**
 * The start page: two choices, both plain links; only the texts need script.
 * @module home/home
 */
import { languagePicker, loadCatalogues, translateDom } from "../shared/i18n.js";

await loadCatalogues("home");
translateDom(document);
document.getElementById("language")?.append(languagePicker());
