//! The page's entry point: install the panic hook and mount the app. A saved playground is
//! read by code the page build fetches on demand (the RDB loader): then the app mounts once it
//! is there.

fn main() {
    console_error_panic_hook::set_once();
    if app::pagestate::restore_waits_for_code() {
        wasm_bindgen_futures::spawn_local(async {
            let loaded = app::lazy::load_restore().await;
            app::pagestate::set_restore_code_failed(!loaded);
            leptos::mount::mount_to_body(app::App);
        });
    } else {
        leptos::mount::mount_to_body(app::App);
    }
}
