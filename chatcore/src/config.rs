//! Room configuration with validated defaults.

use std::time::Duration;

use time::UtcOffset;

use crate::Error;

/// Every limit of the server and its rooms. Build with [`Config::default`] and adjust
/// fields (`let mut c = Config::default(); c.capacity = 3;`: the struct is
/// `#[non_exhaustive]`, so it grows without breaking callers), then pass it to
/// [`crate::Hall::new`], which validates it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Most members at once (PROTOCOL.md §2.4); connections still choosing a nickname do not count.
    pub capacity: usize,
    /// Longest accepted input line in bytes, before the LF (PROTOCOL.md §1).
    pub max_line_bytes: usize,
    /// How long a connection may take to choose a nickname before it is closed.
    pub nick_timeout: Duration,
    /// Most connections waiting for a nickname; past it the oldest is closed to make room.
    pub max_pending: usize,
    /// Concurrent connections allowed from one address (members and pending together).
    pub max_per_ip: usize,
    /// Whether loopback addresses skip `max_per_ip`, so local tools and load tests work.
    pub exempt_loopback: bool,
    /// Flood limit: lines a member may send at once.
    pub flood_burst: u32,
    /// Flood limit: lines per second refilled; 0 turns the limit off.
    pub flood_rate: u32,
    /// Extra flood tokens a line costs when it repeats the member's previous line
    /// (wallpapering); 0 disables the penalty.
    pub repeat_cost: u32,
    /// Pending `/schedule`s one member may have.
    pub max_schedules_per_member: usize,
    /// Pending `/schedule`s in the whole room.
    pub max_schedules_per_room: usize,
    /// The offset a bare `/schedule HH:MM` is read in, and the backlog's times are shown in.
    pub utc_offset: UtcOffset,
    /// Public lines (chat, `/me`, fired schedules) a room keeps to show whoever enters it;
    /// 0 turns the backlog off; at most 100.
    pub history: usize,
    /// How long a kicked member may not enter the room again (by nickname and address);
    /// zero turns kick bans off.
    pub kick_ban: Duration,
    /// The room every connection enters once its nickname is accepted; it always exists.
    /// Must be a valid room name (PROTOCOL.md §8).
    pub default_room: String,
    /// Most rooms at once, the default room included; `/join` cannot create more.
    pub max_rooms: usize,
    /// How long a room other than the default one lives without members and without
    /// pending schedules before it is removed.
    pub room_ttl: Duration,
    /// Concurrent connections allowed from one IPv4 /24 or IPv6 /48 (loopback exempt
    /// while `exempt_loopback`).
    pub max_per_subnet: usize,
    /// Rooms that `/join` from one IPv4 /24 or IPv6 /48 created and that still exist (empty
    /// rooms live `room_ttl`); more are refused, so a few networks cannot take every one of
    /// `max_rooms` (loopback exempt while `exempt_loopback`).
    pub max_rooms_per_subnet: usize,
    /// Joins (an accepted nickname or a `/join`) one address may make at once...
    pub join_burst: u32,
    /// ...and per minute after that; 0 turns the limit off. Loopback is exempt while
    /// `exempt_loopback`.
    pub join_rate: u32,
    /// Renames (`/rename`) one member may make at once...
    pub rename_burst: u32,
    /// ...and per minute after that; 0 turns the limit off (PROTOCOL.md §6).
    pub rename_rate: u32,
    /// Announcements to the others (joins, leaves, renames, kicks, admin changes) one
    /// address may cause in one room at once...
    pub announce_burst: u32,
    /// ...and per minute after that; past it they are not shown but counted, and the count
    /// is one summary line at most once a minute (PROTOCOL.md §6 "Churn"). 0 turns the
    /// budget off; loopback is exempt while `exempt_loopback`.
    pub announce_rate: u32,
    /// How late a restored schedule may be and still fire at start ([`crate::Hall::restore`],
    /// PROTOCOL.md §10); one that fell due longer ago while the server was down is dropped
    /// and logged. At most 7 days.
    pub late_limit: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            capacity: 10,
            max_line_bytes: 4096,
            nick_timeout: Duration::from_secs(60),
            max_pending: 64,
            max_per_ip: 5,
            exempt_loopback: true,
            flood_burst: 20,
            flood_rate: 10,
            repeat_cost: 2,
            max_schedules_per_member: 5,
            max_schedules_per_room: 100,
            utc_offset: UtcOffset::UTC,
            history: 20,
            kick_ban: Duration::from_secs(600),
            default_room: String::from("lobby"),
            max_rooms: 1000,
            room_ttl: Duration::from_secs(24 * 3600),
            max_per_subnet: 20,
            max_rooms_per_subnet: 50,
            join_burst: 5,
            join_rate: 10,
            rename_burst: 5,
            rename_rate: 5,
            announce_burst: 10,
            announce_rate: 30,
            late_limit: Duration::from_secs(3600),
        }
    }
}

impl Config {
    /// Checks that every value is usable.
    pub fn validate(&self) -> Result<(), Error> {
        if self.capacity == 0 {
            return Err(Error::InvalidConfig("capacity must be at least 1"));
        }
        if self.capacity > 100_000 {
            return Err(Error::InvalidConfig("capacity must be at most 100000"));
        }
        if !(256..=1 << 20).contains(&self.max_line_bytes) {
            return Err(Error::InvalidConfig(
                "max_line_bytes must be between 256 and 1048576",
            ));
        }
        if self.nick_timeout.is_zero() || self.nick_timeout > Duration::from_secs(86_400) {
            return Err(Error::InvalidConfig(
                "nick_timeout must be between 1 ns and 24 hours",
            ));
        }
        if self.max_pending == 0 {
            return Err(Error::InvalidConfig("max_pending must be at least 1"));
        }
        if self.max_per_ip == 0 {
            return Err(Error::InvalidConfig("max_per_ip must be at least 1"));
        }
        if self.flood_rate > 0 && self.flood_burst == 0 {
            return Err(Error::InvalidConfig(
                "flood_burst must be at least 1 (a flood_rate of 0 turns the limit off)",
            ));
        }
        if self.kick_ban > Duration::from_secs(7 * 86_400) {
            return Err(Error::InvalidConfig("kick_ban must be at most 7 days"));
        }
        // 100 lines of the longest kind (4 KiB each) stay under half of chat-tcp's 1 MiB
        // per-client queue, so a newcomer's backlog never makes it a slow consumer.
        if self.history > 100 {
            return Err(Error::InvalidConfig("history must be at most 100"));
        }
        if crate::roomname::RoomName::parse(&self.default_room).is_err() {
            return Err(Error::InvalidConfig(
                "default_room must be a valid room name (1-32 letters, digits, _ - or .)",
            ));
        }
        if self.max_rooms == 0 {
            return Err(Error::InvalidConfig("max_rooms must be at least 1"));
        }
        if self.room_ttl.is_zero() || self.room_ttl > Duration::from_secs(365 * 86_400) {
            return Err(Error::InvalidConfig(
                "room_ttl must be between 1 ns and 365 days",
            ));
        }
        if self.max_per_subnet == 0 {
            return Err(Error::InvalidConfig("max_per_subnet must be at least 1"));
        }
        if self.max_rooms_per_subnet == 0 {
            return Err(Error::InvalidConfig(
                "max_rooms_per_subnet must be at least 1",
            ));
        }
        if self.join_rate > 0 && self.join_burst == 0 {
            return Err(Error::InvalidConfig(
                "join_burst must be at least 1 (a join_rate of 0 turns the limit off)",
            ));
        }
        if self.rename_rate > 0 && self.rename_burst == 0 {
            return Err(Error::InvalidConfig(
                "rename_burst must be at least 1 (a rename_rate of 0 turns the limit off)",
            ));
        }
        if self.announce_rate > 0 && self.announce_burst == 0 {
            return Err(Error::InvalidConfig(
                "announce_burst must be at least 1 (an announce_rate of 0 turns the budget off)",
            ));
        }
        if self.late_limit > Duration::from_secs(7 * 86_400) {
            return Err(Error::InvalidConfig("late_limit must be at most 7 days"));
        }
        if self.max_schedules_per_room < self.max_schedules_per_member {
            return Err(Error::InvalidConfig(
                "max_schedules_per_room must be at least max_schedules_per_member",
            ));
        }
        Ok(())
    }

    /// The longest line the room ever sends, newline included: an input line plus the
    /// longest prefix the room adds to it.
    pub fn max_output_line(&self) -> usize {
        self.max_line_bytes + 256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_protocol_values_and_valid() {
        let c = Config::default();
        assert_eq!(c.capacity, 10);
        assert_eq!(c.max_line_bytes, 4096);
        assert_eq!(c.nick_timeout, Duration::from_secs(60));
        assert_eq!(c.max_pending, 64);
        assert_eq!((c.flood_burst, c.flood_rate), (20, 10));
        assert_eq!(c.history, 20);
        assert_eq!(c.kick_ban, Duration::from_secs(600));
        assert_eq!((c.rename_burst, c.rename_rate), (5, 5));
        assert_eq!((c.announce_burst, c.announce_rate), (10, 30));
        assert_eq!(c.validate(), Ok(()));
        let off = Config {
            flood_burst: 0,
            flood_rate: 0,
            ..Config::default()
        };
        assert_eq!(off.validate(), Ok(()));
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let bad = [
            Config {
                capacity: 0,
                ..Config::default()
            },
            Config {
                max_line_bytes: 10,
                ..Config::default()
            },
            Config {
                nick_timeout: Duration::ZERO,
                ..Config::default()
            },
            Config {
                nick_timeout: Duration::from_secs(86_401),
                ..Config::default()
            },
            Config {
                nick_timeout: Duration::MAX,
                ..Config::default()
            },
            Config {
                max_pending: 0,
                ..Config::default()
            },
            Config {
                max_per_ip: 0,
                ..Config::default()
            },
            Config {
                max_schedules_per_room: 1,
                ..Config::default()
            },
            Config {
                flood_burst: 0,
                ..Config::default()
            },
            Config {
                history: 101,
                ..Config::default()
            },
            Config {
                kick_ban: Duration::MAX,
                ..Config::default()
            },
            Config {
                default_room: "a b".into(),
                ..Config::default()
            },
            Config {
                max_rooms: 0,
                ..Config::default()
            },
            Config {
                room_ttl: Duration::ZERO,
                ..Config::default()
            },
            Config {
                max_per_subnet: 0,
                ..Config::default()
            },
            Config {
                max_rooms_per_subnet: 0,
                ..Config::default()
            },
            Config {
                join_burst: 0,
                ..Config::default()
            },
            Config {
                rename_burst: 0,
                ..Config::default()
            },
            Config {
                announce_burst: 0,
                ..Config::default()
            },
        ];
        for c in bad {
            assert!(
                matches!(c.validate(), Err(Error::InvalidConfig(_))),
                "{c:?}"
            );
        }
    }
}
