module mnscheduler/peers/go

go 1.19
