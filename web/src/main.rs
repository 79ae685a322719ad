//! The web app's entry point: mounts the app; everything else is in the
//! library.

fn main() {
    leptos::mount::mount_to_body(jifen_web::app::App);
}
