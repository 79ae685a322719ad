//! A private PostgreSQL cluster for tests and the bench: `initdb` into a
//! temporary directory owned by an unprivileged user (PostgreSQL refuses
//! to run as root), listening on 127.0.0.1 on a free port, stopped and
//! removed when dropped. No mock database anywhere.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian puts PostgreSQL 15's programs.
const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running private cluster.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    port: u16,
}

fn as_owner(program: &str) -> Command {
    let path = Path::new(BIN).join(program);
    // Root runs the programs as `postgres`, the package's own user.
    let root = std::env::var("USER").is_ok_and(|u| u == "root")
        || Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(path);
        command
    } else {
        Command::new(path)
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A free TCP port on 127.0.0.1 (bound, then let go).
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

impl Cluster {
    /// Whether PostgreSQL 15 is installed here.
    pub fn installed() -> bool {
        Path::new(BIN).join("initdb").exists()
    }

    /// Makes and starts a cluster with a database `jifen`.
    pub fn start() -> Result<Cluster, String> {
        static MADE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "jifen-pg-{}-{}-{n}",
            std::process::id(),
            crate::community::now_ms()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let data = dir.join("data");
        if as_owner("initdb").get_program() == "runuser" {
            run(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
        }
        let cluster = Cluster {
            dir: dir.clone(),
            port: free_port()?,
        };
        run(as_owner("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "jifen",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data))?;
        cluster.start_again()?;
        run(as_owner("createdb").args([
            "-h",
            "127.0.0.1",
            "-p",
            &cluster.port.to_string(),
            "-U",
            "jifen",
            "jifen",
        ]))?;
        Ok(cluster)
    }

    /// Starts the stopped cluster again (same data, same port).
    pub fn start_again(&self) -> Result<(), String> {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories='' -c max_connections=200 -c shared_buffers=64MB",
            self.port
        );
        run(as_owner("pg_ctl")
            .args(["-w", "-t", "60", "-l"])
            .arg(self.dir.join("log"))
            .args(["-o", &options, "-D"])
            .arg(self.dir.join("data"))
            .arg("start"))
    }

    /// Stops it at once, as a crash or a restart by its operator would.
    pub fn stop(&self) -> Result<(), String> {
        run(as_owner("pg_ctl")
            .args(["-w", "-t", "60", "-m", "fast", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop"))
    }

    /// The URL of its database.
    pub fn url(&self) -> String {
        format!("postgres://jifen@127.0.0.1:{}/jifen", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_owner("pg_ctl")
            .args(["-w", "-t", "30", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
