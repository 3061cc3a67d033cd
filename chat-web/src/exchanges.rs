//! The HTTP exchanges under way (page loads, TLS handshakes, upgrades not yet admitted):
//! how many at once, how many from one address, and one deadline for each whole exchange.
//!
//! A read timeout alone bounds each read, not the exchange: a client sending one byte every
//! few seconds (slowloris, or a TLS handshake fed a byte at a time) would hold its slot for
//! ever, and 64 of them lock everyone out of the page. So each exchange is registered with
//! its deadline, and one thread per listener (sleeping until the earliest deadline, never
//! polling) shuts down the socket of an exchange that overran it, which ends whatever read
//! its thread is blocked in.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Shutdown, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// Exchanges one address (an IPv6 /64) may have under way at once. A browser opens at most a
/// handful; a page load or an upgrade takes milliseconds, so even every browser behind one
/// reverse proxy or NAT rarely has more than a few under way.
pub(crate) const PER_ADDRESS: usize = 8;

/// The exchanges of one listener.
#[derive(Debug)]
pub(crate) struct Exchanges {
    state: Mutex<State>,
    /// Wakes the reaper: a new exchange (perhaps the earliest deadline) or the stop.
    wake: Condvar,
    max: usize,
    per_address: usize,
    timeout: Duration,
}

#[derive(Debug, Default)]
struct State {
    /// Under way, by deadline: a handle on each socket, to shut it down at the deadline.
    open: BTreeMap<(Instant, u64), TcpStream>,
    /// Under way per address key.
    by_address: HashMap<IpAddr, usize>,
    next_id: u64,
    stopped: bool,
}

/// One exchange under way; dropping it ends the count and the deadline.
#[derive(Debug)]
pub(crate) struct Exchange {
    owner: Arc<Exchanges>,
    key: (Instant, u64),
    address: IpAddr,
}

impl Exchanges {
    /// At most `max` exchanges at once, `per_address` from one address, each ended
    /// `timeout` after it began; starts the thread that ends the late ones.
    pub(crate) fn start(
        max: usize,
        per_address: usize,
        timeout: Duration,
    ) -> std::io::Result<Arc<Exchanges>> {
        let exchanges = Arc::new(Exchanges {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            max,
            per_address,
            timeout,
        });
        let reaper = Arc::clone(&exchanges);
        thread::Builder::new()
            .name("web-deadlines".into())
            .stack_size(64 * 1024)
            .spawn(move || reaper.reap())?;
        Ok(exchanges)
    }

    /// Registers an exchange with `stream` from `peer` at `now`, or `None` when the listener
    /// or the address already has as many as it may (the caller closes the connection).
    pub(crate) fn begin(
        self: &Arc<Self>,
        stream: &TcpStream,
        peer: IpAddr,
        now: Instant,
    ) -> Option<Exchange> {
        let address = chatcore::io::address_key(peer);
        let handle = stream.try_clone().ok()?;
        let mut state = self.state.lock();
        let from_address = state.by_address.get(&address).copied().unwrap_or(0);
        if state.stopped || state.open.len() >= self.max || from_address >= self.per_address {
            return None;
        }
        state.next_id += 1;
        let key = (now + self.timeout, state.next_id);
        state.open.insert(key, handle);
        *state.by_address.entry(address).or_insert(0) += 1;
        drop(state);
        self.wake.notify_one();
        Some(Exchange {
            owner: Arc::clone(self),
            key,
            address,
        })
    }

    /// Ends the reaper thread (the listener stopped); exchanges under way end by themselves.
    pub(crate) fn stop(&self) {
        self.state.lock().stopped = true;
        self.wake.notify_one();
    }

    /// Shuts down the sockets of exchanges past their deadline, sleeping until the next.
    fn reap(&self) {
        let mut state = self.state.lock();
        while !state.stopped {
            let now = Instant::now();
            while let Some(entry) = state.open.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                // The exchange's thread wakes with an error, ends and drops its `Exchange`,
                // which finds its entry gone.
                let _ = entry.remove().shutdown(Shutdown::Both);
            }
            match state.open.first_key_value().map(|(key, _)| key.0) {
                Some(deadline) => {
                    let _ = self.wake.wait_until(&mut state, deadline);
                }
                None => self.wake.wait(&mut state),
            }
        }
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        let mut state = self.owner.state.lock();
        state.open.remove(&self.key);
        if let Some(n) = state.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                state.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    fn pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        (client, server)
    }

    #[test]
    fn one_address_gets_its_share_and_the_listener_its_total() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let exchanges = Exchanges::start(3, 2, Duration::from_secs(60)).expect("start");
        let (_c1, s1) = pair(&listener);
        let (_c2, s2) = pair(&listener);
        let (_c3, s3) = pair(&listener);
        let (_c4, s4) = pair(&listener);
        let now = Instant::now();
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let first = exchanges.begin(&s1, a, now).expect("a's first");
        let _second = exchanges.begin(&s2, a, now).expect("a's second");
        assert!(exchanges.begin(&s3, a, now).is_none(), "a's third");
        let _third = exchanges.begin(&s3, b, now).expect("b's first");
        assert!(exchanges.begin(&s4, b, now).is_none(), "over the total");
        drop(first);
        assert!(exchanges.begin(&s4, a, now).is_some(), "a's slot came back");
        exchanges.stop();
    }

    #[test]
    fn an_exchange_past_its_deadline_has_its_socket_shut_down() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let exchanges = Exchanges::start(8, 8, Duration::ZERO).expect("start");
        let (_client, server) = pair(&listener);
        let ip: IpAddr = "127.0.0.1".parse().expect("ip");
        let exchange = exchanges.begin(&server, ip, Instant::now());
        assert!(exchange.is_some());
        // The client never sends: the read ends only because the deadline shut it down
        // (a bounded read timeout makes a failure a failed assertion, not a hang).
        server
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut buf = [0u8; 1];
        let read = (&server).read(&mut buf);
        assert!(matches!(read, Ok(0)), "{read:?}");
        drop(exchange);
        exchanges.stop();
    }
}
